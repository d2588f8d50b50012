// The Data Vault diagram, drawn as SVG: subject areas, connections, shapes.
// Shapes are dragged to move them, the background to pan; the wheel zooms.

const SVG = 'http://www.w3.org/2000/svg';
export const WIDTH = 190;   // same sizes as dv_spec_tool/studio/layout.py
export const HEIGHT = 64;
const AREA_PAD = 34;

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function text(parent, attrs, content) {
  const node = el('text', attrs, parent);
  node.textContent = content;
  return node;
}

function clip(value, length) {
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

const KIND_LABEL = {
  hub: 'HUB', link: 'LINK', nh_link: 'NH LINK', sat: 'SATELLITE', ma_sat: 'MULTI-ACTIVE SAT',
  eff_sat: 'EFFECTIVITY SAT', pit: 'PIT', bridge: 'BRIDGE', ref_table: 'REFERENCE', stage: 'STAGE',
  unknown: 'NOT A VALID DESIGN',
};

function list(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

export function detail(entity) {
  const dv = entity.dv && typeof entity.dv === 'object' ? entity.dv : {};
  const label = KIND_LABEL[entity.kind] || entity.kind;
  switch (entity.kind) {
    case 'hub': return `${label} · ${list(dv.business_keys).join(', ') || 'no business key'}`;
    case 'link': case 'nh_link': {
      const hubs = Array.isArray(dv.hubs) ? dv.hubs.length : 0;
      return `${label} · ${hubs} hub${hubs === 1 ? '' : 's'}`;
    }
    case 'sat': case 'ma_sat': {
      const payload = list(dv.payload).length;
      return `${label} · ${payload} attribute${payload === 1 ? '' : 's'}`;
    }
    default: return label;
  }
}

function shape(kind, group) {
  const w = WIDTH / 2;
  const h = HEIGHT / 2;
  switch (kind) {
    case 'link': case 'nh_link':
      return el('polygon', { class: 'shape', points: `${-w},0 ${-w + 20},${-h} ${w - 20},${-h} ${w},0 ${w - 20},${h} ${-w + 20},${h}` }, group);
    case 'sat': case 'eff_sat':
      return el('rect', { class: 'shape', x: -w, y: -h, width: WIDTH, height: HEIGHT, rx: 22 }, group);
    case 'ma_sat':
      el('rect', { class: 'shape', x: -w + 6, y: -h - 6, width: WIDTH, height: HEIGHT, rx: 22 }, group);
      return el('rect', { class: 'shape', x: -w, y: -h, width: WIDTH, height: HEIGHT, rx: 22 }, group);
    case 'pit': case 'bridge':
      return el('polygon', { class: 'shape', points: `${-w + 12},${-h} ${w - 12},${-h} ${w},${-h + 12} ${w},${h - 12} ${w - 12},${h} ${-w + 12},${h} ${-w},${h - 12} ${-w},${-h + 12}` }, group);
    default:
      return el('rect', { class: 'shape', x: -w, y: -h, width: WIDTH, height: HEIGHT, rx: 3 }, group);
  }
}

// Where the segment from a shape's centre towards (dx, dy) leaves the shape.
function border(dx, dy) {
  if (dx === 0 && dy === 0) return [0, 0];
  const t = Math.min(dx ? (WIDTH / 2) / Math.abs(dx) : Infinity, dy ? (HEIGHT / 2) / Math.abs(dy) : Infinity);
  return [dx * t, dy * t];
}

export class Diagram {
  constructor(svg, handlers) {
    this.svg = svg;
    this.handlers = handlers;
    this.view = { x: 0, y: 0, k: 1 };
    this.positions = new Map();
    this.model = null;
    this.options = {};
    this.fitted = false;
    this.root = el('g', { class: 'viewport' }, svg);
    this.areaLayer = el('g', { class: 'areas' }, this.root);
    this.edgeLayer = el('g', { class: 'edges' }, this.root);
    this.shapeLayer = el('g', { class: 'shapes' }, this.root);
    this.installPanZoom();
  }

  render(model, options = {}) {
    this.model = model;
    this.options = options;
    this.positions = new Map(model.entities.map((e) => [e.name, { x: e.x, y: e.y }]));
    this.shapeLayer.replaceChildren();
    for (const entity of model.entities) this.drawEntity(entity);
    this.drawEdges();
    this.drawAreas();
    if (!this.fitted) {
      this.fit();
      this.fitted = true;
    }
  }

  drawEntity(entity) {
    const { x, y } = this.positions.get(entity.name);
    const classes = ['entity', `kind-${entity.kind}`];
    if (entity.errors) classes.push('has-errors');
    if (this.options.selected === entity.name) classes.push('selected');
    if (this.options.connectFrom === entity.name) classes.push('connect-from');
    const group = el('g', { class: classes.join(' '), transform: `translate(${x},${y})`, 'data-name': entity.name,
      'data-kind': entity.kind, tabindex: 0, role: 'button', 'aria-label': `${entity.kind} ${entity.name}` }, this.shapeLayer);
    shape(entity.kind, group);
    text(group, { class: 'name', x: 0, y: -5, 'text-anchor': 'middle' }, clip(entity.name, 26));
    text(group, { class: 'detail', x: 0, y: 14, 'text-anchor': 'middle' }, clip(detail(entity), 32));
    const tip = [entity.name, entity.description.trim()].filter(Boolean);
    for (const f of entity.findings) tip.push(`${f.severity} ${f.rule} ${f.message}`);
    const title = el('title', {}, group);
    title.textContent = tip.join('\n');
    const badges = [];
    if (entity.errors) badges.push(['error', entity.errors]);
    if (entity.warnings) badges.push(['warning', entity.warnings]);
    badges.forEach(([severity, count], index) => {
      const badge = el('g', { class: `badge ${severity}`, transform: `translate(${WIDTH / 2 - 4 - index * 24},${-HEIGHT / 2 + 2})`,
        'data-severity': severity }, group);
      el('circle', { r: 10 }, badge);
      text(badge, { x: 0, y: 4, 'text-anchor': 'middle' }, String(count));
    });
    group.addEventListener('pointerdown', (event) => this.startDrag(event, entity.name, group));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.handlers.select(entity.name);
      }
    });
  }

  drawEdges() {
    this.edgeLayer.replaceChildren();
    for (const edge of this.model.edges) {
      const a = this.positions.get(edge.from);
      const b = this.positions.get(edge.to);
      if (!a || !b) continue;
      const [ax, ay] = border(b.x - a.x, b.y - a.y);
      const [bx, by] = border(a.x - b.x, a.y - b.y);
      const relation = edge.relation.split(':')[0];
      el('line', { class: `edge relation-${relation}`, x1: a.x + ax, y1: a.y + ay, x2: b.x + bx, y2: b.y + by,
        'data-from': edge.from, 'data-to': edge.to }, this.edgeLayer);
      const role = edge.relation.split(':')[1];
      if (role) text(this.edgeLayer, { class: 'edge-label', x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, 'text-anchor': 'middle' }, role);
    }
  }

  drawAreas() {
    this.areaLayer.replaceChildren();
    const boxes = new Map();
    for (const entity of this.model.entities) {
      const { x, y } = this.positions.get(entity.name);
      const area = entity.subject_area || '';
      const box = boxes.get(area) || { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
      boxes.set(area, { x1: Math.min(box.x1, x - WIDTH / 2), y1: Math.min(box.y1, y - HEIGHT / 2),
        x2: Math.max(box.x2, x + WIDTH / 2), y2: Math.max(box.y2, y + HEIGHT / 2) });
    }
    for (const [area, box] of boxes) {
      const group = el('g', { class: 'area', 'data-area': area }, this.areaLayer);
      el('rect', { x: box.x1 - AREA_PAD, y: box.y1 - AREA_PAD - 14, width: box.x2 - box.x1 + 2 * AREA_PAD,
        height: box.y2 - box.y1 + 2 * AREA_PAD + 14, rx: 12 }, group);
      text(group, { x: box.x1 - AREA_PAD + 12, y: box.y1 - AREA_PAD + 6 }, area || 'no subject area');
    }
  }

  // ------------------------------------------------------------- moving
  toDiagram(event) {
    const rect = this.svg.getBoundingClientRect();
    return { x: (event.clientX - rect.left - this.view.x) / this.view.k, y: (event.clientY - rect.top - this.view.y) / this.view.k };
  }

  startDrag(event, name, group) {
    if (event.button !== 0) return;
    event.stopPropagation();
    const start = this.toDiagram(event);
    const origin = { ...this.positions.get(name) };
    let moved = false;
    group.setPointerCapture(event.pointerId);
    const move = (e) => {
      const point = this.toDiagram(e);
      const dx = point.x - start.x;
      const dy = point.y - start.y;
      if (!moved && Math.hypot(dx, dy) * this.view.k < 4) return;
      moved = true;
      const position = { x: Math.round(origin.x + dx), y: Math.round(origin.y + dy) };
      this.positions.set(name, position);
      group.setAttribute('transform', `translate(${position.x},${position.y})`);
      this.drawEdges();
      this.drawAreas();
    };
    const up = () => {
      group.removeEventListener('pointermove', move);
      group.removeEventListener('pointerup', up);
      group.removeEventListener('pointercancel', up);
      if (moved) {
        const { x, y } = this.positions.get(name);
        this.handlers.move(name, x, y);
      } else {
        this.handlers.select(name);
      }
    };
    group.addEventListener('pointermove', move);
    group.addEventListener('pointerup', up);
    group.addEventListener('pointercancel', up);
  }

  installPanZoom() {
    this.svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      const start = { x: event.clientX, y: event.clientY, vx: this.view.x, vy: this.view.y };
      let moved = false;
      this.svg.setPointerCapture(event.pointerId);
      const move = (e) => {
        if (!moved && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 4) return;
        moved = true;
        this.view.x = start.vx + e.clientX - start.x;
        this.view.y = start.vy + e.clientY - start.y;
        this.applyView();
      };
      const up = () => {
        this.svg.removeEventListener('pointermove', move);
        this.svg.removeEventListener('pointerup', up);
        if (!moved) this.handlers.background();
      };
      this.svg.addEventListener('pointermove', move);
      this.svg.addEventListener('pointerup', up);
    });
    this.svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      const factor = Math.exp(-event.deltaY * 0.0015);
      const k = Math.min(3, Math.max(0.15, this.view.k * factor));
      const px = event.clientX - rect.left;
      const py = event.clientY - rect.top;
      this.view.x = px - ((px - this.view.x) * k) / this.view.k;
      this.view.y = py - ((py - this.view.y) * k) / this.view.k;
      this.view.k = k;
      this.applyView();
    }, { passive: false });
  }

  applyView() {
    this.root.setAttribute('transform', `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
  }

  fit() {
    const rect = this.svg.getBoundingClientRect();
    const points = [...this.positions.values()];
    if (!points.length || !rect.width) {
      this.view = { x: rect.width / 2 || 0, y: rect.height / 2 || 0, k: 1 };
      this.applyView();
      return;
    }
    const x1 = Math.min(...points.map((p) => p.x)) - WIDTH / 2 - AREA_PAD - 10;
    const x2 = Math.max(...points.map((p) => p.x)) + WIDTH / 2 + AREA_PAD + 10;
    const y1 = Math.min(...points.map((p) => p.y)) - HEIGHT / 2 - AREA_PAD - 24;
    const y2 = Math.max(...points.map((p) => p.y)) + HEIGHT / 2 + AREA_PAD + 10;
    const k = Math.min(1.2, Math.max(0.15, Math.min(rect.width / (x2 - x1), rect.height / (y2 - y1))));
    this.view = { k, x: (rect.width - (x2 - x1) * k) / 2 - x1 * k, y: (rect.height - (y2 - y1) * k) / 2 - y1 * k };
    this.applyView();
  }

  // Bring a shape into view: fit everything when that stays readable, else centre on it.
  reveal(name) {
    const point = this.positions.get(name);
    const rect = this.svg.getBoundingClientRect();
    if (!point || !rect.width) return;
    const { k } = this.view;
    const sx = point.x * k + this.view.x;
    const sy = point.y * k + this.view.y;
    const margin = 24;
    if (sx - (WIDTH / 2) * k > margin && sx + (WIDTH / 2) * k < rect.width - margin
        && sy - (HEIGHT / 2) * k > margin && sy + (HEIGHT / 2) * k < rect.height - margin) return;
    this.fit();
    if (this.view.k >= 0.6) return;
    this.view = { k: 0.8, x: rect.width / 2 - point.x * 0.8, y: rect.height / 2 - point.y * 0.8 };
    this.applyView();
  }

  // A free spot for a new shape, placed the Data Vault way: satellites under their
  // parent, links above their hubs, hubs in a row; else right of its subject area.
  freeSpot(dv) {
    const area = dv.subject_area || '';
    const taken = (x, y) => [...this.positions.values()].some((p) => Math.abs(p.x - x) < WIDTH + 20 && Math.abs(p.y - y) < HEIGHT + 24);
    const free = (x, y, dx, dy) => {
      let spot = { x, y };
      for (let step = 0; step < 200 && taken(spot.x, spot.y); step += 1) spot = { x: spot.x + dx, y: spot.y + dy };
      return { x: Math.round(spot.x), y: Math.round(spot.y) };
    };
    const at = (name) => (typeof name === 'string' ? this.positions.get(name) : undefined);
    const parent = at(dv.parent);
    if (parent) return free(parent.x, parent.y + HEIGHT + 50, 0, HEIGHT + 30);
    const ends = (Array.isArray(dv.hubs) ? dv.hubs : []).map((hub) => at(typeof hub === 'string' ? hub : hub && hub.hub)).filter(Boolean);
    if (ends.length) {
      const x = ends.reduce((sum, p) => sum + p.x, 0) / ends.length;
      return free(x, Math.min(...ends.map((p) => p.y)) - HEIGHT - 70, WIDTH + 40, 0);
    }
    const hub = at(dv.hub);
    if (hub) return free(hub.x + WIDTH + 50, hub.y + HEIGHT + 50, WIDTH + 40, 0);
    const members = this.model ? this.model.entities.filter((e) => (e.subject_area || '') === area) : [];
    const hubs = members.filter((e) => e.kind === 'hub');
    if (dv.kind === 'hub' && hubs.length) {
      const right = Math.max(...hubs.map((e) => this.positions.get(e.name).x));
      return free(right + WIDTH + 70, this.positions.get(hubs[0].name).y, WIDTH + 40, 0);
    }
    if (members.length) {
      const right = Math.max(...members.map((e) => this.positions.get(e.name).x));
      const top = Math.min(...members.map((e) => this.positions.get(e.name).y));
      return free(right + WIDTH + 50, top, 0, HEIGHT + 40);
    }
    const all = [...this.positions.values()];
    if (all.length) {
      // a new subject area starts right of everything, so areas never overlap
      const right = Math.max(...all.map((p) => p.x));
      const top = Math.min(...all.map((p) => p.y));
      return { x: Math.round(right + WIDTH + 2 * AREA_PAD + 60), y: Math.round(top) };
    }
    const rect = this.svg.getBoundingClientRect();
    return free((rect.width / 2 - this.view.x) / this.view.k, (rect.height / 2 - this.view.y) / this.view.k, WIDTH + 50, 0);
  }
}
