// The table of entity kinds (dv_spec_tool/core/kinds.json), as the server sends it with the
// design (`kind_table`, a list of rows in the table's order): the diagram, the inspector and
// the tools read kinds from here only.

let table = {};

export function setKinds(rows) {
  table = {};
  for (const { kind, ...row } of rows || []) table[kind] = row;
}

// The kinds whose row passes `test(row, kind)`, in the table's order.
export const kindsWhere = (test) => Object.keys(table).filter((kind) => test(table[kind], kind));
export const family = (kind) => (table[kind] ? table[kind].family : undefined);
export const inFamily = (kind, ...families) => families.includes(family(kind));
export const label = (kind) => (table[kind] ? table[kind].label : kind);
export const kindRow = (kind) => table[kind] || {};
// The kinds a `parent` may be drawn or picked from: exactly the row's `parents` (what validate's DV203 accepts).
export const parentKinds = (kind) => kindsWhere((r, k) => (kindRow(kind).parents || []).includes(k));
