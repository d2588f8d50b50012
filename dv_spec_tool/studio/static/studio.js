// dv-spec studio: the page. It holds the diagram model the server sends,
// draws it, and turns clicks into API calls; the server writes the YAML.

import { api } from './api.js';
import { Diagram } from './diagram.js';
import { Inspector, findingItem, h } from './inspector.js';

class Studio {
  constructor() {
    this.model = null;
    this.selected = null;
    this.connecting = false;
    this.connectFrom = null;
    this.statusNode = document.getElementById('status');
    this.diagram = new Diagram(document.getElementById('canvas'), {
      select: (name) => this.clicked(name),
      move: (name, x, y) => this.moved(name, x, y),
      background: () => this.clicked(null),
    });
    this.inspector = new Inspector(document.getElementById('inspector'), this);
    this.wire();
  }

  wire() {
    for (const button of document.querySelectorAll('button.add')) {
      button.addEventListener('click', () => this.startNew(button.dataset.kind));
    }
    const other = document.getElementById('add-other');
    other.addEventListener('change', () => {
      if (other.value) this.startNew(other.value);
      other.value = '';
    });
    document.getElementById('connect').addEventListener('click', () => this.toggleConnect());
    document.getElementById('auto-layout').addEventListener('click', () => this.run(api.autoLayout(), true));
    document.getElementById('fit').addEventListener('click', () => this.diagram.fit());
    document.getElementById('reload').addEventListener('click', () => this.reload(true));
    document.getElementById('counts').addEventListener('click', () => this.toggleFindings());
    document.getElementById('spec-close').addEventListener('click', () => document.getElementById('spec-dialog').close());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.connecting) this.toggleConnect(false);
    });
    window.addEventListener('focus', () => this.reload(false));
  }

  // ----------------------------------------------------------------- state
  async reload(announce) {
    try {
      this.apply(await api.design());
      if (announce) this.status('design read again');
    } catch (error) {
      this.status(error.message, true);
    }
  }

  apply(model, fit = false) {
    this.model = model;
    document.getElementById('project').textContent = model.project.name;
    if (this.selected && !model.entities.some((e) => e.name === this.selected)) this.selected = null;
    const counts = document.getElementById('counts');
    const { error, warning } = model.counts;
    counts.textContent = `${error} error${error === 1 ? '' : 's'} · ${warning} warning${warning === 1 ? '' : 's'}`;
    counts.className = `counts ${error ? 'has-errors' : 'clean'}`;
    this.draw();
    if (fit) this.diagram.fit();
    this.inspector.refreshModel();
    const panel = document.getElementById('findings');
    if (!panel.hidden) this.fillFindings();
  }

  draw() {
    this.diagram.render(this.model, { selected: this.selected, connectFrom: this.connectFrom });
    document.getElementById('canvas').classList.toggle('connecting', this.connecting);
  }

  status(message, isError = false) {
    this.statusNode.textContent = message || '';
    this.statusNode.classList.toggle('error', Boolean(isError));
  }

  async run(promise, fit = false) {
    try {
      const model = await promise;
      this.apply(model, fit);
      this.status(model.message || '');
      return model;
    } catch (error) {
      this.status(error.message, true);
      if (error.status === 409) {
        this.inspector.dirty = false;
        await this.reload(false);
      }
      return null;
    }
  }

  // ----------------------------------------------------------------- actions
  clicked(name) {
    if (this.connecting && name) return this.connectClick(name);
    return this.select(name);
  }

  select(name) {
    if (this.inspector.dirty && this.inspector.draft && name !== this.selected
        && !window.confirm('Discard the unsaved changes in the form?')) return;
    this.selected = name;
    this.draw();
    const entity = name && this.model.entities.find((e) => e.name === name);
    if (entity) this.inspector.edit(entity);
    else this.inspector.empty();
  }

  startNew(kind) {
    if (this.inspector.dirty && !window.confirm('Discard the unsaved changes in the form?')) return;
    const current = this.selected && this.model.entities.find((e) => e.name === this.selected);
    this.selected = null;
    this.draw();
    this.inspector.create(kind, current ? current.subject_area : this.lastArea || '');
  }

  async createEntity(body) {
    const spot = this.diagram.freeSpot(body.dv);
    const model = await this.run(api.create({ ...body, x: spot.x, y: spot.y }));
    if (model) {
      this.lastArea = body.dv.subject_area || '';
      this.inspector.dirty = false;
      this.select(body.name);
      this.diagram.reveal(body.name);
    }
  }

  async saveEntity(original, name, description, dv) {
    let version = original.version;
    if (name !== original.name) {
      const renamed = await this.run(api.rename(original.name, name, version));
      if (!renamed) return;
      this.selected = name;
      version = renamed.entities.find((e) => e.name === name).version;
    }
    const model = await this.run(api.update(name, { description, dv, version }));
    if (model) {
      this.inspector.dirty = false;
      this.select(name);
    }
  }

  async remove(entity) {
    if (!window.confirm(`Remove ${entity.name} from ${entity.file}? Its model files are not touched.`)) return;
    const model = await this.run(api.remove(entity.name, entity.version));
    if (model) {
      this.inspector.dirty = false;
      this.select(null);
    }
  }

  async moved(name, x, y) {
    try {
      const model = await api.move({ [name]: { x, y } });
      this.model = model;
      this.status(`moved ${name} (saved in .dv-spec/layout.json)`);
    } catch (error) {
      this.status(error.message, true);
    }
  }

  toggleConnect(on = !this.connecting) {
    this.connecting = on;
    this.connectFrom = null;
    document.getElementById('connect').setAttribute('aria-pressed', String(on));
    this.status(on ? 'Connect: click the first shape, then the second (Esc cancels)' : '');
    this.draw();
  }

  async connectClick(name) {
    if (!this.connectFrom) {
      this.connectFrom = name;
      this.status(`Connect ${name} to… click the second shape`);
      this.draw();
      return;
    }
    const from = this.connectFrom;
    this.toggleConnect(false);
    if (this.inspector.dirty && !window.confirm('Discard the unsaved changes in the form?')) return;
    this.inspector.dirty = false;
    await this.run(api.connect(from, name));
  }

  async showSpec(name) {
    const dialog = document.getElementById('spec-dialog');
    const body = document.getElementById('spec-body');
    document.getElementById('spec-title').textContent = name;
    body.replaceChildren(h('p', { class: 'hint', text: 'Building…' }));
    dialog.showModal();
    try {
      const result = await api.spec(name);
      const parts = [];
      for (const [key, title] of [['spec', 'Spec'], ['prompt', 'Starter prompt']]) {
        if (!result[key]) continue;
        const pre = h('pre', { 'data-part': key, text: result[key] });
        parts.push(h('h3', {}, title, ' ', h('button', { type: 'button', text: 'Copy',
          onclick: () => navigator.clipboard && navigator.clipboard.writeText(result[key]) })), pre);
      }
      body.replaceChildren(...parts);
    } catch (error) {
      body.replaceChildren(h('p', { class: 'finding error', text: error.message }));
    }
  }

  toggleFindings() {
    const panel = document.getElementById('findings');
    panel.hidden = !panel.hidden;
    if (!panel.hidden) this.fillFindings();
  }

  fillFindings() {
    const panel = document.getElementById('findings');
    const findings = this.model.findings;
    panel.replaceChildren(findings.length
      ? h('div', {}, findings.map((f) => findingItem(f, () => f.entity && this.select(f.entity))))
      : h('p', { class: 'hint', text: 'No findings: the design passes validation.' }));
  }
}

const studio = new Studio();
window.dvSpecStudio = studio; // for people poking around in the console, and for tests
studio.reload(false);
