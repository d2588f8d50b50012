// The Data Vault diagram, drawn as SVG: subject areas, connections, shapes.
// Shapes are dragged to move them, the background to pan; the wheel zooms.

import { inFamily, label } from './kinds.js';

const SVG = 'http://www.w3.org/2000/svg';
// The room a new shape is given before the server has sized it (view.shape_size).
const WIDTH = 200;
const HEIGHT = 110;
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

// A shape's title: its kind's label, or what the page calls a dv block of no known kind.
const kindTitle = (kind) => (kind === 'unknown' ? 'NOT A VALID DESIGN' : label(kind).toUpperCase());
const COMPACT_ZOOM = 0.45; // below this zoom, shapes show their header only

// One line's ends: the entity that points is the "many" end (a hub has many satellite rows,
// many link rows); PIT and bridge references are drawn as arrows to what they read.
const MANY_TO_ONE = new Set(['parent', 'hub']);

function segmentHitsBox(x1, y1, x2, y2, b) {
  // Liang-Barsky clipping of the segment against the box
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  for (const [p, q] of [[-dx, x1 - b.x1], [dx, b.x2 - x1], [-dy, y1 - b.y1], [dy, b.y2 - y1]]) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

// Where the segment from a box's centre towards (tx, ty) leaves the box.
function exit(box, tx, ty) {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (!dx && !dy) return [cx, cy];
  const t = Math.min(dx ? ((box.x2 - box.x1) / 2) / Math.abs(dx) : Infinity, dy ? ((box.y2 - box.y1) / 2) / Math.abs(dy) : Infinity);
  return [cx + dx * t, cy + dy * t];
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
    const defs = el('defs', {}, svg);
    // crow's foot: wide where the line meets the shape that has many rows per row of the other
    const many = el('marker', { id: 'many', viewBox: '0 0 14 14', refX: 13, refY: 7, markerWidth: 14, markerHeight: 14,
      orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' }, defs);
    el('path', { class: 'marker', d: 'M13,1 L1,7 L13,13 M13,7 L1,7' }, many);
    const one = el('marker', { id: 'one', viewBox: '0 0 14 14', refX: 13, refY: 7, markerWidth: 14, markerHeight: 14,
      orient: 'auto', markerUnits: 'userSpaceOnUse' }, defs);
    el('path', { class: 'marker', d: 'M6,1 L6,13 M10,1 L10,13' }, one);
    const arrow = el('marker', { id: 'arrow', viewBox: '0 0 12 12', refX: 11, refY: 6, markerWidth: 12, markerHeight: 12,
      orient: 'auto', markerUnits: 'userSpaceOnUse' }, defs);
    el('path', { class: 'marker filled', d: 'M1,1 L11,6 L1,11 z' }, arrow);
    this.root = el('g', { class: 'viewport' }, svg);
    this.areaLayer = el('g', { class: 'areas' }, this.root);
    this.edgeLayer = el('g', { class: 'edges' }, this.root);
    this.shapeLayer = el('g', { class: 'shapes' }, this.root);
    this.installPanZoom();
  }

  render(model, options = {}) {
    this.model = model;
    this.options = options;
    this.metrics = model.shape;
    this.positions = new Map(model.entities.map((e) => [e.name, { x: e.x, y: e.y }]));
    this.sizes = new Map(model.entities.map((e) => [e.name, { w: e.w, h: e.h }]));
    this.collapsed = this.loadCollapsed();
    this.compact = this.view.k < COMPACT_ZOOM;
    this.svg.classList.toggle('compact', this.compact);
    this.shapeLayer.replaceChildren();
    for (const entity of model.entities) this.drawEntity(entity);
    this.drawEdges();
    this.drawAreas();
    if (options.ghost) {
      // where the entity being drawn will go: a dashed outline until it is added
      const { x, y, kind } = options.ghost;
      const ghost = el('g', { class: `ghost kind-${kind}`, transform: `translate(${x},${y})` }, this.shapeLayer);
      el('rect', { x: -WIDTH / 2, y: -HEIGHT / 2, width: WIDTH, height: HEIGHT, rx: 6 }, ghost);
      text(ghost, { x: 0, y: 4, 'text-anchor': 'middle' }, `new ${label(kind).toLowerCase()}`);
    }
    if (!this.fitted) {
      this.fit();
      this.fitted = true;
    }
  }

  // ------------------------------------------------------------- shapes
  collapsedKey() { return `dv-spec-studio:collapsed:${this.model.project.name}`; }

  loadCollapsed() {
    try {
      return new Set(JSON.parse(window.localStorage.getItem(this.collapsedKey()) || '[]'));
    } catch (error) {
      return new Set();
    }
  }

  toggleCollapsed(name) {
    if (this.collapsed.has(name)) this.collapsed.delete(name);
    else this.collapsed.add(name);
    try {
      window.localStorage.setItem(this.collapsedKey(), JSON.stringify([...this.collapsed]));
    } catch (error) { /* private mode: collapsing lasts until the next reload */ }
    this.render(this.model, this.options);
  }

  isCollapsed(name) { return this.compact || this.collapsed.has(name); }

  // The box a shape covers now: its top stays put when it is collapsed.
  box(name) {
    const { x, y } = this.positions.get(name);
    const { w, h } = this.sizes.get(name);
    const shown = this.isCollapsed(name) ? this.metrics.header : h;
    return { x1: x - w / 2, y1: y - h / 2, x2: x + w / 2, y2: y - h / 2 + shown };
  }

  drawEntity(entity) {
    const { x, y } = this.positions.get(entity.name);
    const m = this.metrics;
    const w = entity.w;
    const collapsed = this.isCollapsed(entity.name);
    const h = collapsed ? m.header : entity.h;
    const top = -entity.h / 2;
    const classes = ['entity', `kind-${entity.kind}`];
    if (entity.errors) classes.push('has-errors');
    if (this.options.selected === entity.name) classes.push('selected');
    if (this.options.connectFrom === entity.name) classes.push('connect-from');
    if (collapsed) classes.push('collapsed');
    const group = el('g', { class: classes.join(' '), transform: `translate(${x},${y})`, 'data-name': entity.name,
      'data-kind': entity.kind, tabindex: 0, role: 'button', 'aria-label': `${entity.kind} ${entity.name}` }, this.shapeLayer);
    const rx = inFamily(entity.kind, 'sat') ? 12 : (inFamily(entity.kind, 'link') ? 0 : 3);
    if (entity.kind === 'ma_sat') el('rect', { class: 'shape echo', x: -w / 2 + 5, y: top - 5, width: w, height: h, rx }, group);
    el('rect', { class: 'shape', x: -w / 2, y: top, width: w, height: h, rx }, group);
    el('rect', { class: 'header', x: -w / 2, y: top, width: w, height: m.header, rx }, group);
    if (inFamily(entity.kind, 'link')) {
      // links: a bar down the left edge, as in the usual Data Vault notation
      el('rect', { class: 'bar', x: -w / 2, y: top, width: 6, height: h }, group);
    }
    text(group, { class: 'kind-label', x: -w / 2 + m.pad, y: top + 13 }, kindTitle(entity.kind));
    text(group, { class: 'name', x: -w / 2 + m.pad, y: top + 31 }, entity.name);
    if (!this.compact && entity.columns.length) {
      const toggle = el('g', { class: 'toggle', transform: `translate(${w / 2 - 24},${top + 12})`, 'data-action': 'collapse',
        role: 'button', 'aria-label': `${collapsed ? 'show' : 'hide'} the columns of ${entity.name}` }, group);
      el('rect', { x: -8, y: -8, width: 16, height: 16, rx: 3 }, toggle);
      text(toggle, { x: 0, y: 4, 'text-anchor': 'middle' }, collapsed ? '▸' : '▾');
      toggle.addEventListener('pointerdown', (event) => {
        event.stopPropagation();
        this.toggleCollapsed(entity.name);
      });
    }
    if (!collapsed) {
      const rows = el('g', { class: 'columns' }, group);
      entity.columns.forEach(([role, column], index) => {
        const rowY = top + m.header + index * m.row + m.row - 4;
        const row = el('g', { class: `column role-${role}`, 'data-role': role, 'data-column': column }, rows);
        text(row, { class: 'tag', x: -w / 2 + m.pad, y: rowY }, this.model.roles[role] || '');
        text(row, { class: 'column-name', x: -w / 2 + m.pad + (m.tag + 1) * m.char, y: rowY }, column);
      });
    }
    if (inFamily(entity.kind, 'hub', 'link')) {
      // drag from the handle: to empty space for a new satellite, to a hub for a new link
      const handle = el('g', { class: 'handle', transform: `translate(${w / 2},${top + m.header / 2})`, 'data-action': 'draw',
        role: 'button', 'aria-label': `draw a satellite${entity.kind === 'hub' ? ' or a link' : ''} from ${entity.name}` }, group);
      el('circle', { r: 8 }, handle);
      text(handle, { x: 0, y: 4, 'text-anchor': 'middle' }, '+');
      el('title', {}, handle).textContent = entity.kind === 'hub'
        ? 'Drag to empty space: a new satellite of this hub. Drag onto another hub: a new link between them.'
        : 'Drag to empty space: a new satellite of this link.';
      handle.addEventListener('pointerdown', (event) => this.startWire(event, entity.name));
    }
    const tip = [entity.name, entity.description.trim()].filter(Boolean);
    for (const f of entity.findings) tip.push(`${f.severity} ${f.rule} ${f.message}`);
    const title = el('title', {}, group);
    title.textContent = tip.join('\n');
    const badges = [];
    if (entity.errors) badges.push(['error', entity.errors]);
    if (entity.warnings) badges.push(['warning', entity.warnings]);
    badges.forEach(([severity, count], index) => {
      const badge = el('g', { class: `badge ${severity}`, transform: `translate(${w / 2 - 4 - index * 24},${top})`,
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

  // ------------------------------------------------------------- lines
  drawEdges() {
    this.edgeLayer.replaceChildren();
    const selected = this.options.selected;
    this.svg.classList.toggle('has-selection', Boolean(selected));
    const boxes = new Map([...this.positions.keys()].map((name) => [name, this.box(name)]));
    const pairs = new Map();
    for (const edge of this.model.edges) {
      const key = [edge.from, edge.to].sort().join('\u0000');
      pairs.set(key, (pairs.get(key) || 0) + 1);
    }
    const seen = new Map();
    for (const edge of this.model.edges) {
      const a = boxes.get(edge.from);
      const b = boxes.get(edge.to);
      if (!a || !b) continue;
      // lines between the same two shapes (a same-as link's two roles) run side by side
      const key = [edge.from, edge.to].sort().join('\u0000');
      const count = pairs.get(key);
      const index = seen.get(key) || 0;
      seen.set(key, index + 1);
      const offset = (index - (count - 1) / 2) * 16;
      const points = this.route(edge, a, b, offset, boxes);
      const [relation, role] = edge.relation.split(':');
      const classes = ['edge', `relation-${relation}`];
      if (selected && (edge.from === selected || edge.to === selected)) classes.push('highlight');
      const many = MANY_TO_ONE.has(relation);
      el('polyline', { class: classes.join(' '), points: points.map((p) => p.join(',')).join(' '),
        'marker-start': many ? 'url(#many)' : '', 'marker-end': many ? 'url(#one)' : 'url(#arrow)',
        'data-from': edge.from, 'data-to': edge.to, 'data-relation': edge.relation }, this.edgeLayer);
      if (role) {
        // the role's label sits near the link's end of its own line, so two roles never overlap
        // (side by side lines: each label on the outer side of its own line)
        const [p, q] = [points[0], points[1]];
        const t = Math.min(0.5, 60 / Math.max(1, Math.hypot(q[0] - p[0], q[1] - p[1])));
        const anchor = offset < 0 ? 'end' : (offset > 0 ? 'start' : 'middle');
        text(this.edgeLayer, { class: 'edge-label', x: p[0] + (q[0] - p[0]) * t + Math.sign(offset) * 5,
          y: p[1] + (q[1] - p[1]) * t - 4 + (offset < 0 ? -8 : 0), 'text-anchor': anchor,
          'data-role': role, 'data-from': edge.from }, role);
      }
    }
  }

  // A straight line when it crosses no other shape, else the elbow (one corner) that crosses fewest.
  route(edge, a, b, offset, boxes) {
    const centre = (box) => [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2];
    const [ax, ay] = centre(a);
    const [bx, by] = centre(b);
    const others = [...boxes.entries()].filter(([name]) => name !== edge.from && name !== edge.to).map(([, box]) => box);
    const hits = (points) => {
      let count = 0;
      for (let i = 0; i + 1 < points.length; i += 1) {
        for (const box of others) if (segmentHitsBox(...points[i], ...points[i + 1], box)) count += 1;
      }
      return count;
    };
    const horizontal = Math.abs(bx - ax) > Math.abs(by - ay);
    const straight = () => {
      const [sx, sy] = exit(a, bx, by);
      const [tx, ty] = exit(b, ax, ay);
      const len = Math.hypot(tx - sx, ty - sy) || 1;
      const nx = (-(ty - sy) / len) * offset;
      const ny = ((tx - sx) / len) * offset;
      return [[sx + nx, sy + ny], [tx + nx, ty + ny]];
    };
    const elbow = (firstHorizontal) => {
      const corner = firstHorizontal ? [bx + offset, ay + offset] : [ax + offset, by + offset];
      return [exit(a, ...corner), corner, exit(b, ...corner)];
    };
    const candidates = [straight(), elbow(!horizontal), elbow(horizontal)];
    let best = candidates[0];
    let fewest = hits(best);
    for (const candidate of candidates.slice(1)) {
      if (fewest === 0) break;
      const count = hits(candidate);
      if (count < fewest) {
        best = candidate;
        fewest = count;
      }
    }
    return best.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  }

  drawAreas() {
    this.areaLayer.replaceChildren();
    const boxes = new Map();
    for (const entity of this.model.entities) {
      const b = this.box(entity.name);
      const area = entity.subject_area || '';
      const box = boxes.get(area) || { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
      boxes.set(area, { x1: Math.min(box.x1, b.x1), y1: Math.min(box.y1, b.y1), x2: Math.max(box.x2, b.x2), y2: Math.max(box.y2, b.y2) });
    }
    for (const [area, box] of boxes) {
      const group = el('g', { class: 'area', 'data-area': area }, this.areaLayer);
      el('rect', { x: box.x1 - AREA_PAD, y: box.y1 - AREA_PAD - 14, width: box.x2 - box.x1 + 2 * AREA_PAD,
        height: box.y2 - box.y1 + 2 * AREA_PAD + 14, rx: 12 }, group);
      text(group, { x: box.x1 - AREA_PAD + 12, y: box.y1 - AREA_PAD + 6 }, area || 'no subject area');
    }
  }

  // The whole drawing's extent, in diagram coordinates.
  extent() {
    const boxes = [...this.positions.keys()].map((name) => this.box(name));
    return { x1: Math.min(...boxes.map((b) => b.x1)) - AREA_PAD - 10, y1: Math.min(...boxes.map((b) => b.y1)) - AREA_PAD - 24,
      x2: Math.max(...boxes.map((b) => b.x2)) + AREA_PAD + 10, y2: Math.max(...boxes.map((b) => b.y2)) + AREA_PAD + 10 };
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

  startWire(event, from) {
    if (event.button !== 0) return;
    event.stopPropagation();
    event.preventDefault();
    const start = this.box(from);
    const origin = [start.x2, (start.y1 + Math.min(start.y2, start.y1 + this.metrics.header)) / 2];
    const line = el('line', { class: 'edge wire', x1: origin[0], y1: origin[1], x2: origin[0], y2: origin[1] }, this.edgeLayer);
    this.svg.setPointerCapture(event.pointerId);
    const move = (e) => {
      const point = this.toDiagram(e);
      line.setAttribute('x2', point.x);
      line.setAttribute('y2', point.y);
    };
    const up = (e) => {
      this.svg.removeEventListener('pointermove', move);
      this.svg.removeEventListener('pointerup', up);
      this.svg.releasePointerCapture(event.pointerId);
      line.remove();
      const point = this.toDiagram(e);
      const target = [...this.positions.keys()].find((name) => {
        const b = this.box(name);
        return name !== from && point.x >= b.x1 && point.x <= b.x2 && point.y >= b.y1 && point.y <= b.y2;
      });
      if (Math.hypot(point.x - origin[0], point.y - origin[1]) > 20 || target) {
        this.handlers.wire(from, target || null, { x: Math.round(point.x), y: Math.round(point.y) });
      }
    };
    this.svg.addEventListener('pointermove', move);
    this.svg.addEventListener('pointerup', up);
  }

  installPanZoom() {
    this.svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || event.defaultPrevented) return;
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
      const up = (e) => {
        this.svg.removeEventListener('pointermove', move);
        this.svg.removeEventListener('pointerup', up);
        if (!moved) this.handlers.background(this.toDiagram(e));
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
    // zoomed out far, shapes show their headers only; zoomed in, their columns
    if (this.model && (this.view.k < COMPACT_ZOOM) !== this.compact) this.render(this.model, this.options);
  }

  // ------------------------------------------------------------- export
  // The drawing as a stand-alone SVG: styles inlined, the view's extent, no selection glow.
  toSvg() {
    const { x1, y1, x2, y2 } = this.extent();
    const copy = this.svg.cloneNode(true);
    const originals = this.svg.querySelectorAll('*');
    const copies = copy.querySelectorAll('*');
    // the page's styles become presentation attributes (its CSP allows no inline styles)
    const keys = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size',
      'font-weight', 'letter-spacing', 'paint-order', 'stroke-linejoin', 'display'];
    originals.forEach((node, index) => {
      const style = window.getComputedStyle(node);
      for (const key of keys) {
        const value = style.getPropertyValue(key);
        if (value) copies[index].setAttribute(key, value);
      }
    });
    copy.querySelector('.viewport').removeAttribute('transform');
    copy.setAttribute('viewBox', `${x1} ${y1} ${x2 - x1} ${y2 - y1}`);
    copy.setAttribute('width', String(Math.round(x2 - x1)));
    copy.setAttribute('height', String(Math.round(y2 - y1)));
    copy.removeAttribute('class');
    copy.insertBefore(el('rect', { x: x1, y: y1, width: x2 - x1, height: y2 - y1, fill: '#ffffff' }), copy.querySelector('.viewport'));
    return new XMLSerializer().serializeToString(copy);
  }

  toPng(scale = 2) {
    const svg = this.toSvg();
    const { x1, y1, x2, y2 } = this.extent();
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = Math.round((x2 - x1) * scale);
        canvas.height = Math.round((y2 - y1) * scale);
        const context = canvas.getContext('2d');
        context.scale(scale, scale);
        context.drawImage(image, 0, 0);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be made'))), 'image/png');
      };
      image.onerror = () => reject(new Error('the picture could not be made'));
      image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
    });
  }

  fit() {
    const rect = this.svg.getBoundingClientRect();
    if (!this.positions.size || !rect.width) {
      this.view = { x: rect.width / 2 || 0, y: rect.height / 2 || 0, k: 1 };
      this.applyView();
      return;
    }
    const { x1, y1, x2, y2 } = this.extent();
    const k = Math.min(1.2, Math.max(0.15, Math.min(rect.width / (x2 - x1), rect.height / (y2 - y1))));
    this.view = { k, x: (rect.width - (x2 - x1) * k) / 2 - x1 * k, y: (rect.height - (y2 - y1) * k) / 2 - y1 * k };
    this.applyView();
  }

  // Bring a shape into view: fit everything when that stays readable, else centre on it.
  reveal(name) {
    const rect = this.svg.getBoundingClientRect();
    if (!this.positions.has(name) || !rect.width) return;
    const { k } = this.view;
    const b = this.box(name);
    const margin = 24;
    if (b.x1 * k + this.view.x > margin && b.x2 * k + this.view.x < rect.width - margin
        && b.y1 * k + this.view.y > margin && b.y2 * k + this.view.y < rect.height - margin) return;
    this.fit();
    if (this.view.k >= 0.6) return;
    const point = this.positions.get(name);
    this.view = { k: 0.8, x: rect.width / 2 - point.x * 0.8, y: rect.height / 2 - point.y * 0.8 };
    this.applyView();
  }

  // A free spot (centre) for a new shape, beside what it hangs off, the Data Vault way:
  // a satellite under its parent, a link above its hubs, a hub right of the other hubs.
  // The first spot from (x, y), stepping by (dx, dy), where a new shape overlaps none.
  free(x, y, dx, dy) {
    const boxes = [...this.positions.keys()].map((name) => this.box(name));
    const taken = (px, py) => boxes.some((b) => px + WIDTH / 2 + 20 > b.x1 && px - WIDTH / 2 - 20 < b.x2
      && py + HEIGHT / 2 + 20 > b.y1 && py - HEIGHT / 2 - 20 < b.y2);
    let spot = { x, y };
    for (let step = 0; step < 400 && taken(spot.x, spot.y); step += 1) spot = { x: spot.x + dx, y: spot.y + dy };
    return { x: Math.round(spot.x), y: Math.round(spot.y) };
  }

  freeSpot(dv) {
    const area = dv.subject_area || '';
    const w = WIDTH;
    const h = HEIGHT;
    const boxes = [...this.positions.keys()].map((name) => this.box(name));
    const free = (x, y, dx, dy) => this.free(x, y, dx, dy);
    const boxOf = (name) => (typeof name === 'string' && this.positions.has(name) ? this.box(name) : undefined);
    const parent = boxOf(dv.parent);
    if (parent) return free((parent.x1 + parent.x2) / 2, parent.y2 + 30 + h / 2, 0, 20);
    const ends = (Array.isArray(dv.hubs) ? dv.hubs : []).map((hub) => boxOf(typeof hub === 'string' ? hub : hub && hub.hub)).filter(Boolean);
    if (ends.length) {
      const x = ends.reduce((sum, b) => sum + (b.x1 + b.x2) / 2, 0) / ends.length;
      return free(x, Math.min(...ends.map((b) => b.y1)) - 60 - h / 2, 20, 0);
    }
    const hub = boxOf(dv.hub);
    if (hub) return free(hub.x2 + 50 + w / 2, hub.y2 + 50, 20, 0);
    const members = this.model ? this.model.entities.filter((e) => (e.subject_area || '') === area) : [];
    const hubs = members.filter((e) => e.kind === 'hub');
    if (dv.kind === 'hub' && hubs.length) {
      const right = Math.max(...hubs.map((e) => this.box(e.name).x2));
      return free(right + 60 + w / 2, this.positions.get(hubs[0].name).y, 20, 0);
    }
    if (members.length) {
      const right = Math.max(...members.map((e) => this.box(e.name).x2));
      const top = Math.min(...members.map((e) => this.box(e.name).y1));
      return free(right + 50 + w / 2, top + h / 2, 0, 20);
    }
    if (boxes.length) {
      // a new subject area starts right of everything, so areas never overlap
      const right = Math.max(...boxes.map((b) => b.x2));
      const top = Math.min(...boxes.map((b) => b.y1));
      return { x: Math.round(right + 2 * AREA_PAD + 60 + w / 2), y: Math.round(top + h / 2) };
    }
    const rect = this.svg.getBoundingClientRect();
    return free((rect.width / 2 - this.view.x) / this.view.k, (rect.height / 2 - this.view.y) / this.view.k, 20, 0);
  }
}
