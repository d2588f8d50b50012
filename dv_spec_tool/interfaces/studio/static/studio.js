// dv-spec studio: the page. It holds the diagram model the server sends,
// draws it, and turns clicks into API calls; the server writes the YAML.

import { api } from './api.js';
import { Diagram } from './diagram.js';
import { Inspector, findingItem, h } from './inspector.js';
import { inFamily, kindsWhere, label, parentKinds, setKinds } from './kinds.js';
import { renderMarkdown } from './markdown.js';

// A question in a dialog: {ok, choice}. `items` are listed; `choice` is an optional
// checkbox whose change may refresh the list (`onChoice(checked)` -> new items).
export function ask({ title, message, items = [], choice = null, ok = 'OK', onChoice = null }) {
  const dialog = document.getElementById('ask-dialog');
  document.getElementById('ask-title').textContent = title;
  document.getElementById('ask-message').textContent = message || '';
  const list = document.getElementById('ask-items');
  const fill = (lines) => list.replaceChildren(...lines.map((line) => h('li', { text: line })));
  fill(items);
  const box = document.getElementById('ask-choice');
  const checkbox = box.querySelector('input');
  checkbox.checked = false;
  box.hidden = !choice;
  box.querySelector('span').textContent = choice || '';
  checkbox.onchange = async () => { if (onChoice) fill(await onChoice(checkbox.checked)); };
  const okButton = dialog.querySelector('[data-action="ask-ok"]');
  okButton.textContent = ok;
  return new Promise((resolve) => {
    const done = (answer) => {
      okButton.onclick = null;
      dialog.querySelector('[data-action="ask-cancel"]').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    okButton.onclick = () => done({ ok: true, choice: checkbox.checked });
    dialog.querySelector('[data-action="ask-cancel"]').onclick = () => done({ ok: false });
    dialog.onclose = () => done({ ok: false });
    dialog.showModal();
  });
}

function download(filename, blob) {
  const link = h('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

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
      background: (point) => this.backgroundClicked(point),
      wire: (from, to, point) => this.drawnFrom(from, to, point),
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
    document.getElementById('auto-layout').addEventListener('click', () => this.guarded('Auto layout',
      (confirmed) => api.autoLayout(confirmed), true));
    const exporter = document.getElementById('export');
    exporter.addEventListener('change', () => {
      if (exporter.value) this.exportAs(exporter.value);
      exporter.value = '';
    });
    document.getElementById('undo').addEventListener('click', () => this.undo());
    document.getElementById('redo').addEventListener('click', () => this.redo());
    document.getElementById('fit').addEventListener('click', () => this.diagram.fit());
    document.getElementById('reload').addEventListener('click', () => this.reload(true));
    document.getElementById('counts').addEventListener('click', () => this.toggleFindings());
    document.getElementById('spec-close').addEventListener('click', () => document.getElementById('spec-dialog').close());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.connecting) this.toggleConnect(false);
      const inField = event.target.matches && event.target.matches('input, textarea, select');
      if (event.key === 'Delete' && !inField && this.selected && !document.querySelector('dialog[open]')) {
        const entity = this.model.entities.find((e) => e.name === this.selected);
        if (entity) this.remove(entity); // asks first, naming what depends on it
        return;
      }
      const key = event.key.toLowerCase();
      if (!(event.ctrlKey || event.metaKey) || !['z', 'y'].includes(key)) return;
      // in a text field the field's own undo applies; elsewhere the design's
      if (event.target.matches && event.target.matches('input[type=text], textarea')) return;
      event.preventDefault();
      if (key === 'y' || event.shiftKey) this.redo();
      else this.undo();
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
    setKinds(model.kind_table);
    this.fillKindMenu();
    document.getElementById('project').textContent = model.project.name;
    if (this.selected && !model.entities.some((e) => e.name === this.selected)) this.selected = null;
    const counts = document.getElementById('counts');
    const { error, warning } = model.counts;
    counts.textContent = `${error} error${error === 1 ? '' : 's'} · ${warning} warning${warning === 1 ? '' : 's'}`;
    counts.className = `counts ${error ? 'has-errors' : 'clean'}`;
    const history = model.history || {};
    for (const [id, label, word] of [['undo', history.undo, 'Undo'], ['redo', history.redo, 'Redo']]) {
      const button = document.getElementById(id);
      button.disabled = !label;
      button.title = label ? `${word}: ${label} (${id === 'undo' ? 'Ctrl+Z' : 'Ctrl+Shift+Z'})` : `Nothing to ${id}`;
    }
    this.draw();
    if (fit) this.diagram.fit();
    this.inspector.refreshModel(this.selected);
    const panel = document.getElementById('findings');
    if (!panel.hidden) this.fillFindings();
  }

  draw() {
    const draft = this.inspector && this.inspector.draft;
    const ghost = draft && draft.isNew && draft.position ? { ...draft.position, kind: draft.dv.kind } : null;
    this.diagram.render(this.model, { selected: this.selected, connectFrom: this.connectFrom, ghost });
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
      if (error.status === 409) await this.reload(false); // the form keeps what was typed
      return null;
    }
  }

  // An edit the server may first answer with a question (a destructive or re-parenting
  // edit): ask it, and send the edit again, confirmed, only when the person says yes.
  async guarded(title, call, fit = false) {
    try {
      const model = await call(false);
      this.apply(model, fit);
      this.status(model.message || '');
      return model;
    } catch (error) {
      if (!error.confirm) {
        this.status(error.message, true);
        if (error.status === 409) await this.reload(false);
        return null;
      }
      const answer = await ask({ title, message: error.confirm, ok: title });
      if (!answer.ok) {
        this.status(`${title}: cancelled, nothing changed`);
        return null;
      }
      return this.run(call(true), fit);
    }
  }

  async undo() {
    if (this.inspector.dirty && this.inspector.draft
        && !window.confirm('Discard the unsaved changes in the form and undo the last edit?')) return;
    this.inspector.dirty = false;
    await this.run(api.undo());
  }

  async redo() {
    if (this.inspector.dirty && this.inspector.draft
        && !window.confirm('Discard the unsaved changes in the form and redo?')) return;
    this.inspector.dirty = false;
    await this.run(api.redo());
  }

  // ----------------------------------------------------------------- actions
  // A click on empty drawing: while a new entity's form is open, it says where the entity goes.
  backgroundClicked(point) {
    const draft = this.inspector.draft;
    if (draft && draft.isNew && !this.connecting) {
      draft.position = this.diagram.free(Math.round(point.x), Math.round(point.y), 0, 20);
      this.draw();
      this.status(`the new ${draft.dv.kind.replace('_', ' ')} goes there; Add to design writes it`);
      return;
    }
    this.clicked(null);
  }

  clicked(name) {
    if (this.connecting && name) return this.connectClick(name);
    return this.select(name);
  }

  select(name) {
    if (this.inspector.dirty && this.inspector.draft && name !== this.selected
        && !window.confirm('Discard the unsaved changes in the form?')) return;
    this.selected = name;
    const entity = name && this.model.entities.find((e) => e.name === name);
    if (entity) this.inspector.edit(entity);
    else this.inspector.empty();
    this.draw();
  }

  // "+ other…" offers every kind without a button of its own, in the kinds table's order.
  fillKindMenu() {
    const other = document.getElementById('add-other');
    if (other.options.length > 1) return;
    const buttons = new Set([...document.querySelectorAll('button.add')].map((button) => button.dataset.kind));
    for (const kind of kindsWhere((row, name) => !buttons.has(name))) other.append(new Option(label(kind), kind));
  }

  // A new entity's form, prefilled from the selected shape: a satellite hangs off the
  // selected hub or link, a link joins the selected hub, a PIT or bridge starts from it.
  startNew(kind, prefill = {}, position = null) {
    if (this.inspector.dirty && !window.confirm('Discard the unsaved changes in the form?')) return;
    const current = this.selected && this.model.entities.find((e) => e.name === this.selected);
    const from = prefill.from || current;
    const dv = {};
    if (from) {
      if (parentKinds(kind).includes(from.kind)) dv.parent = from.name;
      if (inFamily(kind, 'link') && from.kind === 'hub') dv.hubs = [from.name];
      if (['pit', 'bridge'].includes(kind) && from.kind === 'hub') dv.hub = from.name;
    }
    if (prefill.hubs) dv.hubs = prefill.hubs;
    this.selected = null;
    this.inspector.create(kind, from ? from.subject_area : this.lastArea || '', dv, position);
    this.draw();
    if (!position) this.status(`new ${kind.replace('_', ' ')}: click the drawing where it goes, or let the studio place it`);
  }

  // Drawn from a shape's handle: to empty space, a satellite of it; onto another hub, a link.
  drawnFrom(from, to, point) {
    const source = this.model.entities.find((e) => e.name === from);
    const target = to && this.model.entities.find((e) => e.name === to);
    if (target && source.kind === 'hub' && target.kind === 'hub') {
      this.startNew('link', { from: source, hubs: [from, to] }); // placed above its hubs, not on the one dropped on
      this.status(`new link between ${from} and ${to}: name it and add its source`);
    } else if (target) {
      this.status(`drop on empty space for a satellite of ${from}, or on another hub for a link`, true);
    } else {
      this.startNew('sat', { from: source }, this.diagram.free(point.x, point.y, 0, 20)); // where dropped, or just below
      this.status(`new satellite of ${from}: name it and add its source and payload`);
    }
  }

  async createEntity(body, position = null) {
    const spot = position || this.diagram.freeSpot(body.dv);
    const model = await this.run(api.create({ ...body, x: spot.x, y: spot.y }));
    if (model) {
      this.lastArea = body.dv.subject_area || '';
      this.inspector.dirty = false;
      this.select(body.name);
      this.diagram.reveal(body.name);
    }
  }

  async saveEntity(original, name, description, dv) {
    let model;
    try {
      if (name !== original.name) {
        const plan = await this.askRename(original, name);
        if (!plan) return;
        // a hash key or hashdiff the person typed in the form is theirs; the plan sets the others
        const typed = (this.inspector.draft && this.inspector.draft.typed) || new Set();
        const changes = Object.entries(plan.design_changes)
          .filter(([key]) => !typed.has(key) || dv[key] === (original.dv || {})[key]);
        model = await api.rename(original.name, { to: name, version: original.version, description,
          dv: { ...dv, ...Object.fromEntries(changes) } });
      } else {
        model = await api.update(name, { description, dv, version: original.version });
      }
    } catch (error) {
      this.status(error.message, true);
      if (error.status === 409) {
        // the file changed meanwhile: keep what was typed and offer a merge with the file
        const fresh = await api.design();
        this.model = fresh;
        this.draw();
        const current = fresh.entities.find((e) => e.name === original.name);
        if (current) {
          this.inspector.showMerge(current);
          this.status(`${current.file} changed since you started editing ${original.name}: your typing is kept; `
            + 'choose what to keep in the form', true);
        }
      }
      return;
    }
    this.inspector.dirty = false;
    this.selected = name;
    this.apply(model);
    this.status(model.message || '');
  }

  // The rename dialog: what the rename implies, and the choice to rename the physical names too.
  async askRename(original, name) {
    let plan;
    try {
      plan = await api.impact({ action: 'rename', name: original.name, to: name });
    } catch (error) {
      this.status(error.message, true);
      return null;
    }
    const changes = Object.entries(plan.physical || {}).filter(([key, value]) => value && value !== plan.current[key]);
    const words = { hash_key: 'hash key', hashdiff: 'hashdiff' };
    const choice = changes.length ? `Also rename the physical names: ${changes.map(([key, value]) => `${words[key]} ${plan.current[key]} → ${value}`).join(', ')}` : null;
    const answer = await ask({
      title: `Rename ${original.name} to ${name}`,
      message: 'What this rename means for what is built and loaded:',
      items: plan.implications,
      choice,
      ok: 'Rename',
      onChoice: async (checked) => {
        const other = await api.impact({ action: 'rename', name: original.name, to: name, physical: checked });
        plan = other;
        return other.implications;
      },
    });
    if (!answer.ok) {
      this.status(`rename of ${original.name} cancelled; nothing changed`);
      return null;
    }
    if (answer.choice) plan = await api.impact({ action: 'rename', name: original.name, to: name, physical: true });
    return plan;
  }

  async remove(entity) {
    let found;
    try {
      found = await api.impact({ action: 'delete', name: entity.name });
    } catch (error) {
      this.status(error.message, true);
      return;
    }
    const users = found.dependents;
    const answer = await ask({ title: `Delete ${entity.name}`, ok: 'Delete',
      message: users.length
        ? `Remove ${entity.name} from ${entity.file}? ${users.length} entit${users.length === 1 ? 'y depends' : 'ies depend'} on it and will point at nothing:`
        : `Remove ${entity.name} from ${entity.file}? Nothing depends on it. Its model files are not touched; Undo brings it back.`,
      items: users.map((d) => `${d.name} (${d.kind}, ${d.relation})`) });
    if (!answer.ok) {
      this.status(`delete of ${entity.name} cancelled; nothing changed`);
      return;
    }
    this.inspector.dirty = false;
    const model = await this.run(api.remove(entity.name, entity.version, true));
    if (model) this.select(null);
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
    if (this.inspector.dirty) {
      this.inspector.dirty = false;
      this.inspector.refreshModel(this.selected); // discarded: the form shows the entity as saved
    }
    await this.guarded(`Connect ${from} and ${name}`, (confirmed) => api.connect(from, name, confirmed));
  }

  async exportAs(format) {
    const project = this.model.project.name;
    try {
      if (format === 'svg') {
        download(`${project}.svg`, new Blob([this.diagram.toSvg()], { type: 'image/svg+xml' }));
      } else if (format === 'png') {
        download(`${project}.png`, await this.diagram.toPng());
      } else {
        const result = await api.exported(format);
        download(result.filename, new Blob([result.text], { type: 'text/plain' }));
        if (result.skipped.length) {
          this.status(`exported ${result.filename}; left out (their design has errors): ${result.skipped.join(', ')}`, true);
          return;
        }
        this.status(`exported ${result.filename}`);
        return;
      }
      this.status(`exported ${project}.${format} (this view)`);
    } catch (error) {
      this.status(error.message, true);
    }
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
        // the spec is read rendered; the prompt is copied as text, so it is shown as text
        const shown = key === 'spec' ? h('div', { class: 'markdown', 'data-part': key }, renderMarkdown(result[key]))
          : h('pre', { 'data-part': key, text: result[key] });
        parts.push(h('h3', {}, title, ' ', h('button', { type: 'button', text: 'Copy',
          onclick: () => navigator.clipboard && navigator.clipboard.writeText(result[key]) })), shown);
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
