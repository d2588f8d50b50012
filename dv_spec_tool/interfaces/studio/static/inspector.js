// The inspector: the form for one entity's design. Its fields come from the
// design contract's JSON Schema (model.kinds), so they follow dv-spec's
// contract. Keys the form does not show are kept as they were.

import { inFamily, kindRow, kindsWhere, parentKinds } from './kinds.js';

// The kinds a list of references may name (validate's rule DV203 says the same).
const LIST_REFERENCES = {
  hubs: () => kindsWhere((r) => r.family === 'hub'),
  satellites: () => kindsWhere((r) => r.hashdiff),
  links: () => kindsWhere((r) => r.family === 'link'),
  effectivity_satellites: () => kindsWhere((r, k) => k === 'eff_sat'),
};
const TEXT_REFERENCES = { hub: ['hub'] };
const COLUMN_KEYS = new Set(['business_keys', 'payload', 'multi_active_keys', 'dependent_keys', 'reference_keys',
  'effective_from', 'start_date', 'end_date', 'hashdiff']);
const LABELS = {
  subject_area: 'Subject area', owner: 'Owner', ghost_record: 'Ghost record', hash_key: 'Hash key',
  business_keys: 'Business keys', hubs: 'Hubs', sources: 'Sources', dependent_keys: 'Dependent keys',
  payload: 'Payload (attributes)', parent: 'Parent', hashdiff: 'Hashdiff', effective_from: 'Effective from',
  multi_active_keys: 'Multi-active keys', driving_keys: 'Driving keys', start_date: 'Start date',
  end_date: 'End date', hub: 'Hub', satellites: 'Satellites', as_of_dates: 'As-of dates', links: 'Links',
  effectivity_satellites: 'Effectivity satellites', reference_keys: 'Reference keys',
};

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

// A chip takes no focus: the field being typed in keeps it (and does not re-render
// the form under the pointer before the chip's click lands).
const keepFocus = (event) => event.preventDefault();
const copy = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const isStrings = (value) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const splitList = (value) => value.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
const stem = (name, kind) => (kindRow(kind).prefix && name.startsWith(kindRow(kind).prefix) ? name.slice(kindRow(kind).prefix.length) : name);

// Names derived from the entity name, as the sample design writes them.
export function derived(kind, name) {
  const base = stem(name, kind);
  if (!base) return {};
  if (inFamily(kind, 'hub', 'link')) return { hash_key: `${base}_hk` };
  if (kindRow(kind).hashdiff) return { hashdiff: `${base}_hashdiff` };
  return {};
}

export class Inspector {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.draft = null;
    this.dirty = false;
    this.lastInput = null;
    root.addEventListener('focusin', (event) => {
      if (event.target.matches('input[type=text], textarea')) this.lastInput = event.target;
    });
  }

  get model() { return this.app.model; }

  empty() {
    this.draft = null;
    this.dirty = false;
    const model = this.model;
    this.root.replaceChildren(
      h('h2', { text: 'Design' }),
      h('p', { class: 'hint', text: `${model.entities.length} entities in ${model.areas.length} subject area(s). `
        + 'Click a shape to edit it, drag it to move it. Drag from a hub\'s + handle to draw a satellite '
        + '(to empty space) or a link (onto another hub); + Hub, + Link, + Satellite and Connect draw too. '
        + 'Every change is written to the design YAML; Undo (Ctrl+Z) takes it back.' }),
      this.findingsList(model.findings.filter((f) => !f.entity), 'Project findings'),
    );
  }

  // An existing entity.
  edit(entity) {
    this.merging = null;
    this.draft = { isNew: false, original: entity, name: entity.name, description: entity.description, typed: new Set(),
      dv: copy(entity.dv && typeof entity.dv === 'object' && !Array.isArray(entity.dv) ? entity.dv : {}) };
    this.dirty = false;
    this.render();
  }

  // A new entity of `kind`, not written until "Add" is pressed.
  create(kind, area, prefill = {}, position = null) {
    const dv = { kind, ...prefill };
    if (area) dv.subject_area = area;
    if (kindRow(kind).staged || kind === 'stage') dv.sources = [{}];
    this.draft = { isNew: true, name: kindRow(kind).prefix || '', description: '', dv, file: '', typed: new Set(), position };
    this.dirty = true;
    this.render();
    const name = this.root.querySelector('input[name=name]');
    if (name) {
      name.focus();
      name.setSelectionRange(name.value.length, name.value.length);
    }
  }

  // The model changed (a save, a reload, undo): the panel shows the selected entity, always;
  // an unsaved draft of that entity (or of a new one) is kept as typed.
  refreshModel(selected) {
    const draft = this.draft;
    if (draft && this.dirty && (draft.isNew ? !selected : draft.original.name === selected)) {
      if (this.merging) this.render();
      return undefined;
    }
    this.merging = null;
    const entity = selected && this.model.entities.find((e) => e.name === selected);
    return entity ? this.edit(entity) : this.empty();
  }

  // A save refused because the file changed meanwhile: the person's typing stays; this offers
  // a merge, key by key, of their change (against what they started from) and the file's.
  showMerge(current) {
    const draft = this.draft;
    const base = { description: draft.original.description || '', ...draft.original.dv };
    const mine = { description: draft.description || '', ...draft.dv };
    const file = { description: current.description || '', ...current.dv };
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const rows = [];
    for (const key of new Set([...Object.keys(base), ...Object.keys(mine), ...Object.keys(file)])) {
      if (same(mine[key], file[key])) continue;
      const mineChanged = !same(mine[key], base[key]);
      const fileChanged = !same(file[key], base[key]);
      rows.push({ key, mine: mine[key], file: file[key], use: mineChanged ? 'mine' : 'file', conflict: mineChanged && fileChanged });
    }
    this.merging = { current, rows };
    this.dirty = true;
    this.render();
  }

  mergeSection() {
    const { current, rows } = this.merging;
    const show = (value) => (value === undefined ? '(none)' : (typeof value === 'string' ? value : JSON.stringify(value)));
    const table = h('table', { class: 'merge' }, h('tr', {}, h('th', { text: 'Key' }), h('th', { text: 'Your change' }),
      h('th', { text: 'In the file now' })),
    rows.map((row) => h('tr', { 'data-key': row.key, class: row.conflict ? 'conflict' : '' },
      h('td', { text: row.key }),
      ...['mine', 'file'].map((side) => h('td', {}, h('label', {}, h('input', { type: 'radio', name: `merge.${row.key}`,
        value: side, checked: row.use === side, onchange: () => { row.use = side; } }), ' ', show(row[side])))))));
    const apply = () => {
      const merged = { description: current.description || '', ...JSON.parse(JSON.stringify(current.dv || {})) };
      for (const row of rows) {
        const value = row.use === 'mine' ? row.mine : row.file;
        if (value === undefined) delete merged[row.key];
        else merged[row.key] = JSON.parse(JSON.stringify(value));
      }
      const { description, ...dv } = merged;
      this.draft = { ...this.draft, original: current, description, dv };
      this.merging = null;
      this.save();
    };
    return h('section', { class: 'merge-box', 'data-merge': current.name },
      h('h3', { text: 'The file changed while you were editing' }),
      h('p', { class: 'hint', text: `${current.file} was changed (in an editor or another tab) after you started. `
        + 'Your typing is kept. Choose, key by key, what to keep; keys only one side changed are preselected.' }),
      rows.length ? table : h('p', { class: 'hint', text: 'Your change and the file agree.' }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-action': 'merge-save', text: 'Save the merge', onclick: apply }),
        h('button', { type: 'button', 'data-action': 'merge-theirs', text: 'Take the file, drop my change',
          onclick: () => { this.merging = null; this.edit(current); } })));
  }

  touch() { this.dirty = true; }

  // --------------------------------------------------------------- render
  render() {
    const draft = this.draft;
    const kind = draft.dv.kind;
    const spec = this.model.kinds[kind];
    const entity = draft.original;
    const children = [];
    children.push(h('h2', { text: draft.isNew ? `New ${kind.replace('_', ' ')}` : draft.original.name }));
    if (this.merging) children.push(this.mergeSection());
    if (entity) {
      children.push(h('div', { class: 'where', text: `${entity.kind} · ${entity.file}:${entity.line}` }));
    }
    if (!spec) {
      children.push(h('p', { class: 'hint', text: `This entity's design block is not valid yet (kind ${JSON.stringify(entity && entity.dv && entity.dv.kind)}). Fix it in ${entity.file}:${entity.line}; the findings below say how.` }));
      children.push(this.findingsList(entity.findings, 'Findings'));
      this.root.replaceChildren(...children);
      return;
    }
    children.push(h('p', { class: 'hint', text: spec.description }));
    children.push(this.nameField());
    if (draft.isNew) children.push(this.fileField());
    children.push(this.field('description', 'Description', h('textarea', {
      name: 'description', rows: 3, placeholder: 'What this entity means to the business',
      oninput: (e) => { draft.description = e.target.value; this.touch(); },
    }, draft.description || ''), 'The purpose, for specs and prompts.'));
    // the subject area, then the sources: the key fields below offer the columns of what the entity reads
    const first = (f) => (f.key === 'subject_area' ? 0 : (f.type === 'sources' ? 1 : 2));
    const fields = [...spec.fields].sort((a, b) => first(a) - first(b));
    for (const field of fields) children.push(this.keyField(field, spec.required.includes(field.key)));
    const actions = h('div', { class: 'actions' });
    actions.append(h('button', { type: 'button', class: 'primary', 'data-action': 'save', text: draft.isNew ? 'Add to design' : 'Save',
      onclick: () => this.save() }));
    if (draft.isNew) {
      actions.append(h('button', { type: 'button', text: 'Cancel', onclick: () => this.app.select(null) }));
    } else {
      const features = this.model.features || {};
      if (features.spec || features.prompt) {
        actions.append(h('button', { type: 'button', 'data-action': 'spec', text: features.prompt ? 'Spec & prompt' : 'Spec',
          onclick: () => this.app.showSpec(draft.original.name) }));
      }
      actions.append(h('button', { type: 'button', class: 'danger', 'data-action': 'delete', text: 'Delete',
        onclick: () => this.app.remove(draft.original) }));
    }
    children.push(actions);
    if (entity) children.push(this.findingsList(entity.findings, 'Findings'));
    this.root.replaceChildren(...children);
  }

  field(key, label, input, help, required = false) {
    return h('label', { class: 'field', 'data-key': key },
      h('span', { class: 'label' }, label, required ? h('span', { class: 'required', text: ' *' }) : null),
      input,
      help ? h('span', { class: 'help', text: help }) : null);
  }

  nameField() {
    const draft = this.draft;
    const input = h('input', { type: 'text', name: 'name', value: draft.name, autocomplete: 'off', spellcheck: 'false',
      oninput: (e) => {
        draft.name = e.target.value.trim();
        // A new entity's hash key or hashdiff follows its name until the person types their own.
        // An existing entity's never do: they are columns of loaded tables (the rename dialog asks).
        if (draft.isNew) {
          const after = derived(draft.dv.kind, draft.name);
          for (const key of ['hash_key', 'hashdiff']) {
            if (draft.typed.has(key) || !this.model.kinds[draft.dv.kind].fields.some((f) => f.key === key)) continue;
            if (after[key]) draft.dv[key] = after[key];
            else delete draft.dv[key];
            const other = this.root.querySelector(`[name="dv.${key}"]`);
            if (other) other.value = after[key] || '';
          }
        }
        this.touch();
      } });
    const help = draft.isNew ? 'A plain SQL identifier; the model of the same name will be scaffolded.'
      : 'Renaming asks first: it renames every reference, and keeps the hash key and hashdiff unless you choose otherwise.';
    return this.field('name', 'Name', input, help, true);
  }

  fileField() {
    const draft = this.draft;
    const select = h('select', { name: 'file', onchange: (e) => { draft.file = e.target.value; this.touch(); } },
      h('option', { value: '', text: 'by subject area (default)' }),
      this.model.files.map((file) => h('option', { value: file, text: file, selected: draft.file === file })));
    return this.field('file', 'Schema file', select, 'Where the entry is added. The default is the file holding its subject area, or a new one.');
  }

  keyField(field, required) {
    const draft = this.draft;
    const key = field.key;
    const label = LABELS[key] || key;
    const value = draft.dv[key];
    if (field.type === 'sources') return this.sourcesField(field, required);
    if (key === 'hubs') return this.hubsField(field, required);
    if (field.type === 'bool') {
      const input = h('input', { type: 'checkbox', name: `dv.${key}`, checked: value === true,
        onchange: (e) => {
          if (e.target.checked) draft.dv[key] = true;
          else if (draft.original && draft.original.dv[key] === false) draft.dv[key] = false;
          else delete draft.dv[key];
          this.touch();
        } });
      return h('label', { class: 'field checkbox', 'data-key': key }, input, h('span', { text: label }),
        h('span', { class: 'help', text: field.description }));
    }
    const plain = field.type === 'list' ? (value === undefined || isStrings(value)) : (value === undefined || typeof value === 'string');
    if (!plain) return this.jsonField(key, label, field.description, required);
    let input;
    if (field.type === 'list') {
      input = h('input', { type: 'text', name: `dv.${key}`, value: (value || []).join(', '), autocomplete: 'off', spellcheck: 'false',
        placeholder: 'comma-separated', oninput: (e) => {
          const items = splitList(e.target.value);
          if (items.length) draft.dv[key] = items;
          else delete draft.dv[key];
          this.touch();
          this.markChips(`dv.${key}`);
        } });
    } else {
      const options = this.referenceOptions(key);
      const list = options ? `options-${key}` : undefined;
      input = h('input', { type: 'text', name: `dv.${key}`, value: value || '', list, autocomplete: 'off', spellcheck: 'false',
        oninput: (e) => {
          const text = e.target.value.trim();
          if (text) draft.dv[key] = text;
          else delete draft.dv[key];
          draft.typed.add(key);
          this.touch();
        }, onchange: () => { if (key === 'parent') this.rerender(); } });
      if (options) input = h('span', {}, input, h('datalist', { id: list }, options.map((name) => h('option', { value: name }))));
    }
    const chips = this.chipsFor(key, input);
    return this.field(key, label, h('span', {}, input, chips), field.description, required);
  }

  // A link's hubs, one row each: the hub, and its role when a hub appears twice (a same-as link).
  hubsField(field, required) {
    const draft = this.draft;
    const items = draft.dv.hubs === undefined ? [] : draft.dv.hubs;
    const drawable = Array.isArray(items) && items.every((item) => typeof item === 'string'
      || (item && typeof item === 'object' && !Array.isArray(item) && typeof item.hub === 'string'));
    if (!drawable) return this.jsonField('hubs', 'Hubs', field.description, required);
    const hubs = this.entitiesOf(['hub']);
    const write = (next) => {
      if (next.length) draft.dv.hubs = next;
      else delete draft.dv.hubs;
      this.touch();
      this.rerender();
    };
    const rows = items.map((item, index) => {
      const hub = typeof item === 'string' ? item : item.hub;
      const role = typeof item === 'string' ? '' : (item.role || '');
      const change = (newHub, newRole) => {
        const next = [...draft.dv.hubs];
        const extra = typeof item === 'object' ? { ...item } : {};
        delete extra.hub;
        delete extra.role;
        next[index] = newRole || Object.keys(extra).length ? { hub: newHub, ...(newRole ? { role: newRole } : {}), ...extra } : newHub;
        draft.dv.hubs = next;
        this.touch();
      };
      const select = h('select', { name: `hubs.${index}.hub`, onchange: (e) => { change(e.target.value, role); this.rerender(); } },
        (hubs.includes(hub) ? hubs : [hub, ...hubs]).map((name) => h('option', { value: name, text: name, selected: name === hub })));
      const roleInput = h('input', { type: 'text', name: `hubs.${index}.role`, value: role, placeholder: 'role (a hub that appears twice)',
        autocomplete: 'off', spellcheck: 'false', oninput: (e) => change(hub, e.target.value.trim()) });
      const remove = h('button', { type: 'button', class: 'remove', 'data-action': 'remove-hub', title: `remove ${hub}`, text: '×',
        onclick: () => write(items.filter((_, other) => other !== index)) });
      return h('div', { class: 'hub-row', 'data-index': index }, select, roleInput, remove);
    });
    const chips = h('span', { class: 'chips', 'data-chips': 'hubs' }, hubs.map((name) => h('button', {
      type: 'button', class: 'chip', onmousedown: keepFocus, text: `+ ${name}`, title: `join ${name}`,
      onclick: () => write([...items, name]) })));
    // the source key fields follow the roles: redrawn once the focus leaves the hub rows
    return h('div', { class: 'field', 'data-key': 'hubs',
      onfocusout: (e) => { if (!e.currentTarget.contains(e.relatedTarget)) this.rerender(e.relatedTarget); } },
      h('span', { class: 'label' }, 'Hubs', required ? h('span', { class: 'required', text: ' *' }) : null),
      rows.length ? rows : h('span', { class: 'help', text: 'No hub yet: add the hubs this link joins.' }),
      chips, h('span', { class: 'help', text: field.description }));
  }

  jsonField(key, label, description, required) {
    const draft = this.draft;
    const area = h('textarea', { class: 'json', name: `dv.${key}`, rows: 4, spellcheck: 'false',
      oninput: (e) => {
        try {
          draft.dv[key] = JSON.parse(e.target.value);
          e.target.closest('.field').classList.remove('invalid');
        } catch (error) {
          e.target.closest('.field').classList.add('invalid');
        }
        this.touch();
      } }, JSON.stringify(draft.dv[key], null, 1));
    return this.field(key, label, area, `${description} (written as JSON here: this value has a shape the form does not draw)`, required);
  }

  // Candidates offered as chips under a field: entity names for references, source columns for columns.
  chipsFor(key) {
    let names = [];
    if (LIST_REFERENCES[key]) names = this.entitiesOf(LIST_REFERENCES[key]());
    else if (key === 'driving_keys') names = this.linkReferences(this.draft.dv.parent);
    else if (COLUMN_KEYS.has(key) && key !== 'hashdiff') names = this.sourceColumns();
    if (!names.length) return null;
    // a list's chips are toggles: pressed when the value is in the list, a click adds or removes it
    const current = Array.isArray(this.draft.dv[key]) ? this.draft.dv[key] : [this.draft.dv[key]];
    return h('span', { class: 'chips', 'data-chips': key }, names.map((name) => h('button', {
      type: 'button', class: 'chip', onmousedown: keepFocus, text: name, 'data-value': name,
      'aria-pressed': String(current.includes(name)), title: current.includes(name) ? `remove ${name}` : `add ${name}`,
      onclick: () => this.addTo(`dv.${key}`, name, true, true),
    })));
  }

  addTo(inputName, value, isList = true, toggle = false) {
    const input = this.root.querySelector(`[name="${inputName}"]`);
    if (!input) return;
    if (isList && input.placeholder === 'comma-separated') {
      let items = splitList(input.value);
      if (!items.includes(value)) items.push(value);
      else if (toggle) items = items.filter((item) => item !== value);
      input.value = items.join(', ');
    } else {
      input.value = toggle && input.value === value ? '' : value;
    }
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    this.markChips(inputName);
  }

  // Show which chips of a field are in its value (after typing or a click).
  markChips(inputName) {
    const input = this.root.querySelector(`[name="${inputName}"]`);
    const chips = input && input.closest('.field') && input.closest('.field').querySelector('[data-chips]');
    if (!chips) return;
    const values = input.placeholder === 'comma-separated' ? splitList(input.value) : [input.value.trim()];
    for (const chip of chips.querySelectorAll('.chip[data-value]')) {
      const on = values.includes(chip.dataset.value);
      chip.setAttribute('aria-pressed', String(on));
      chip.title = on ? `remove ${chip.dataset.value}` : `add ${chip.dataset.value}`;
    }
  }

  referenceOptions(key) {
    const kind = this.draft.dv.kind;
    if (key === 'parent') return this.entitiesOf(parentKinds(kind));
    if (TEXT_REFERENCES[key]) return this.entitiesOf(TEXT_REFERENCES[key]);
    if (key === 'as_of_dates') return this.model.nodes.map((n) => n.name);
    if (key === 'subject_area') return this.model.areas.filter(Boolean);
    return null;
  }

  entitiesOf(kinds) {
    return this.model.entities.filter((e) => kinds.includes(e.kind) && e.name !== this.draft.name).map((e) => e.name);
  }

  // Reference names of a link's hubs: the role when given, else the hub name.
  linkReferences(linkName, hubs) {
    let items = hubs;
    if (!items) {
      const link = this.model.entities.find((e) => e.name === linkName);
      items = link && link.dv && Array.isArray(link.dv.hubs) ? link.dv.hubs : [];
    }
    return items.map((item) => (typeof item === 'string' ? item : (item && (item.role || item.hub)))).filter(Boolean);
  }

  sourceColumns() {
    const columns = [];
    for (const source of this.draft.dv.sources || []) {
      const node = this.nodeOf(source);
      for (const column of node ? node.columns : []) if (!columns.includes(column)) columns.push(column);
    }
    return columns;
  }

  nodeOf(source) {
    if (!source || typeof source !== 'object') return null;
    const name = source.model || source.source;
    return this.model.nodes.find((n) => n.name === name) || null;
  }

  // --------------------------------------------------------------- sources
  sourcesField(field, required) {
    const draft = this.draft;
    if (draft.dv.sources !== undefined && !Array.isArray(draft.dv.sources)) {
      return this.jsonField('sources', 'Sources', 'Where the rows come from.', required);
    }
    const sources = draft.dv.sources || [];
    const cards = sources.map((source, index) => this.sourceCard(field, source, index));
    const canAdd = !field.max || sources.length < field.max;
    const add = canAdd ? h('button', { type: 'button', 'data-action': 'add-source', text: '+ Add source', onclick: () => {
      draft.dv.sources = [...sources, {}];
      this.touch();
      this.rerender();
    } }) : null;
    return h('div', { class: 'field', 'data-key': 'sources' },
      h('span', { class: 'label' }, 'Sources', required ? h('span', { class: 'required', text: ' *' }) : null),
      h('span', { class: 'help', text: 'What each row is read from: a seed, model, snapshot or dbt source of this project.' }),
      cards, add);
  }

  sourceCard(field, source, index) {
    const draft = this.draft;
    if (!source || typeof source !== 'object' || Array.isArray(source)) {
      return h('fieldset', { class: 'source' }, h('legend', { text: `Source ${index + 1}` }),
        h('p', { class: 'hint', text: `Not a mapping: ${JSON.stringify(source)}. Fix it in the YAML.` }));
    }
    const current = source.model ? `model:${source.model}` : (source.source ? `source:${source.source}` : '');
    const groups = {};
    for (const node of this.model.nodes) (groups[node.type] = groups[node.type] || []).push(node);
    const known = this.model.nodes.some((n) => `${n.type === 'source' ? 'source' : 'model'}:${n.name}` === current);
    const select = h('select', { name: `source.${index}.ref`, onchange: (e) => {
      const [type, ...rest] = e.target.value.split(':');
      const name = rest.join(':');
      delete source.model;
      delete source.source;
      if (name) source[type] = name;
      // one stage per source: other readers' record source and load datetime must agree (DV217)
      for (const key of ['record_source', 'load_datetime']) {
        const agreed = name && !source[key] ? this.sharedSetting(type, name, key) : undefined;
        if (agreed) source[key] = agreed;
      }
      this.touch();
      this.rerender();
    } },
    h('option', { value: '', text: '— choose what it reads —' }),
    !known && current ? h('option', { value: current, text: `${current.split(':')[1]} (not found in the project)`, selected: true }) : null,
    ['seed', 'model', 'snapshot', 'source'].filter((type) => groups[type]).map((type) => h('optgroup', { label: `${type}s` },
      groups[type].map((node) => {
        const value = `${type === 'source' ? 'source' : 'model'}:${node.name}`;
        return h('option', { value, text: node.name, selected: value === current });
      }))));
    const children = [h('legend', { text: `Source ${index + 1}` }), this.field(`sources.${index}`, 'Reads from', select)];
    const node = this.nodeOf(source);
    const mode = this.keyMode(field.keys);
    if (mode === 'list') children.push(this.sourceKeysList(source, index));
    if (mode === 'mapping') children.push(...this.sourceKeysMapping(source, index));
    children.push(this.sourceText(source, index, 'record_source', 'Record source',
      'Written to the record-source column (default: the source name).'));
    children.push(this.sourceText(source, index, 'load_datetime', 'Load datetime column',
      'Source column with the load timestamp (default: the project setting).'));
    if (node && node.columns.length) {
      children.push(h('span', { class: 'help', text: 'Columns of this source (click to add to the last field you were in):' }));
      children.push(h('span', { class: 'chips', 'data-columns': node.name }, node.columns.map((column) => h('button', {
        type: 'button', class: 'chip', onmousedown: keepFocus, text: column, onclick: () => this.addToLast(column) }))));
    }
    children.push(h('button', { type: 'button', class: 'danger', text: 'Remove source', onclick: () => {
      draft.dv.sources.splice(index, 1);
      this.touch();
      this.rerender();
    } }));
    return h('fieldset', { class: 'source', 'data-index': index }, children);
  }

  sharedSetting(type, name, key) {
    for (const entity of this.model.entities) {
      if (entity.name === this.draft.name || !entity.dv || !Array.isArray(entity.dv.sources)) continue;
      for (const other of entity.dv.sources) {
        if (other && other[type] === name && typeof other[key] === 'string') return other[key];
      }
    }
    return undefined;
  }

  keyMode(keys) {
    if (keys !== 'parent') return keys;
    const parent = this.model.entities.find((e) => e.name === this.draft.dv.parent);
    if (this.draft.dv.kind === 'eff_sat') return 'mapping';
    return parent && inFamily(parent.kind, 'link') ? 'mapping' : 'list';
  }

  addToLast(column) {
    const input = this.lastInput && this.root.contains(this.lastInput) ? this.lastInput : null;
    if (!input) return;
    this.addTo(input.name, column, input.placeholder !== undefined && input.placeholder.includes('comma'));
  }

  sourceKeysList(source, index) {
    const keys = source.business_keys;
    if (keys !== undefined && !isStrings(keys)) {
      return this.sourceJson(source, index, 'business_keys', 'Business key columns');
    }
    const draft = this.draft;
    const hubKeys = draft.dv.kind === 'hub' ? draft.dv.business_keys : this.parentKeys();
    const input = h('input', { type: 'text', name: `source.${index}.business_keys`, value: (keys || []).join(', '),
      placeholder: 'comma-separated', autocomplete: 'off', spellcheck: 'false', oninput: (e) => {
        const items = splitList(e.target.value);
        if (items.length) source.business_keys = items;
        else delete source.business_keys;
        this.touch();
      } });
    const same = isStrings(hubKeys) && hubKeys.length ? ` (empty: the source uses the same names: ${hubKeys.join(', ')})` : ' (empty: the same names)';
    return this.field(`sources.${index}.business_keys`, 'Business key columns', input, `Source columns for the business keys, in order${same}.`);
  }

  parentKeys() {
    const parent = this.model.entities.find((e) => e.name === this.draft.dv.parent);
    return parent && parent.dv ? parent.dv.business_keys : undefined;
  }

  sourceKeysMapping(source, index) {
    const keys = source.business_keys;
    if (keys !== undefined && (typeof keys !== 'object' || Array.isArray(keys) || !Object.values(keys).every(isStrings))) {
      return [this.sourceJson(source, index, 'business_keys', 'Business key columns per hub')];
    }
    const draft = this.draft;
    const refs = inFamily(draft.dv.kind, 'link')
      ? this.linkReferences(null, Array.isArray(draft.dv.hubs) ? draft.dv.hubs : [])
      : this.linkReferences(draft.dv.parent);
    for (const name of Object.keys(keys || {})) if (!refs.includes(name)) refs.push(name);
    if (!refs.length) return [h('span', { class: 'help', text: 'Business key columns: add hubs first.' })];
    return refs.map((ref) => {
      const hub = this.model.entities.find((e) => e.name === ref);
      const names = hub && hub.dv && isStrings(hub.dv.business_keys) ? hub.dv.business_keys.join(', ') : '';
      const input = h('input', { type: 'text', name: `source.${index}.business_keys.${ref}`,
        value: ((keys || {})[ref] || []).join(', '), placeholder: 'comma-separated', autocomplete: 'off', spellcheck: 'false',
        oninput: (e) => {
          const items = splitList(e.target.value);
          const mapping = { ...(source.business_keys || {}) };
          if (items.length) mapping[ref] = items;
          else delete mapping[ref];
          if (Object.keys(mapping).length) source.business_keys = mapping;
          else delete source.business_keys;
          this.touch();
        } });
      return this.field(`sources.${index}.business_keys.${ref}`, `Columns for ${ref}`, input,
        `Source columns for ${ref}'s business keys${names ? ` (${names})` : ''}; empty: the same names.`);
    });
  }

  sourceText(source, index, key, label, help) {
    const input = h('input', { type: 'text', name: `source.${index}.${key}`, value: source[key] || '', autocomplete: 'off',
      spellcheck: 'false', oninput: (e) => {
        const text = e.target.value.trim();
        if (text) source[key] = text;
        else delete source[key];
        this.touch();
      } });
    return this.field(`sources.${index}.${key}`, label, input, help);
  }

  sourceJson(source, index, key, label) {
    const area = h('textarea', { class: 'json', name: `source.${index}.${key}`, rows: 3, spellcheck: 'false',
      oninput: (e) => {
        try {
          source[key] = JSON.parse(e.target.value);
          e.target.closest('.field').classList.remove('invalid');
        } catch (error) {
          e.target.closest('.field').classList.add('invalid');
        }
        this.touch();
      } }, JSON.stringify(source[key]));
    return this.field(`sources.${index}.${key}`, label, area, 'Written as JSON here: this value has a shape the form does not draw.');
  }

  // Draw the form again (a change that changes other fields), keeping the scroll and the
  // field the person is in (or moving to: `focus`), so typing carries on.
  rerender(focus = document.activeElement) {
    const scroll = this.root.scrollTop;
    const name = focus && this.root.contains(focus) ? focus.getAttribute('name') : null;
    this.render();
    this.root.scrollTop = scroll;
    const again = name && this.root.querySelector(`[name="${CSS.escape(name)}"]`);
    if (again) again.focus();
  }

  // --------------------------------------------------------------- findings
  findingsList(findings, title) {
    if (!findings.length) return h('p', { class: 'hint', text: title === 'Findings' ? 'No findings: this entity passes validation.' : '' });
    return h('section', { class: 'entity-findings' }, h('h3', { text: `${title} (${findings.length})` }),
      findings.map((f) => findingItem(f)));
  }

  // --------------------------------------------------------------- saving
  designToSave() {
    const dv = copy(this.draft.dv);
    if (Array.isArray(dv.sources)) {
      dv.sources = dv.sources.filter((s) => !(s && typeof s === 'object' && !Array.isArray(s) && !Object.keys(s).length));
      if (!dv.sources.length) delete dv.sources;
    }
    return dv;
  }

  async save() {
    const draft = this.draft;
    const invalid = this.root.querySelector('.field.invalid');
    if (invalid) return this.app.status(`fix the JSON in “${invalid.dataset.key}” first`, true);
    const description = draft.description || '';
    if (draft.isNew) {
      return this.app.createEntity({ name: draft.name, description, dv: this.designToSave(), file: draft.file || undefined },
        draft.position);
    }
    return this.app.saveEntity(draft.original, draft.name, description, this.designToSave());
  }
}

export function findingItem(f, onclick) {
  return h('div', { class: `finding ${f.severity}`, 'data-rule': f.rule, 'data-entity': f.entity, onclick },
    h('span', { class: 'loc', text: `${f.file}:${f.line}:${f.col} ` }),
    h('span', { class: 'rule', text: `${f.severity} ${f.rule} ` }),
    h('span', { text: f.message }),
    f.hint ? h('span', { class: 'hint-text', text: ` (hint: ${f.hint})` }) : null);
}

export { h };
