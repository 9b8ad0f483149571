// The UI's shared state: one object, plus the reads derived from it. Each
// field names the module that writes it (grep "store.<field> =" to find every
// writer); any module may read. No DOM, no network: whoever changes a field
// re-renders what depends on it.

import * as st from './state.js';

export const store = {
  // sidebar.js: /api/tables answer and whether it arrived
  tables: [], // [{name, display_name, kind, row_count_estimate}]
  tablesState: 'loading', // loading | ok | error
  // branding.js: /api/config/display branding (defaults until it answers)
  branding: { title: 'SeeKi', subtitle: '' },
  // status.js: last /api/status answer ({mode, version, database, tunnel}) and
  // the live indicator's state
  status: null,
  live: 'unknown', // unknown | live | offline | down | reconnecting | setup
  // router.js: the hash last routed, so a hashchange for it is ignored
  lastHash: null,
  // view.js (prefs also columns.js): the open table
  table: null, // current table name; null outside the table view
  columns: null, // all columns of the current table, schema order; null until known
  rel: null, // {fks, refby}: /columns' foreign_keys and referenced_by (relations.js reads)
  prefs: null, // {hidden, pinned, sort, pageSize} of the current table (state.js)
  view: null, // {page, pageSize, sort, search, filters} as in the URL
  resp: null, // last successful rows answer for the current view
  error: null, // ApiError of the last failed load; null after a success
  loadSeq: 0, // number of the newest rows load; older answers are dropped
  loadCtrl: null, // AbortController of the load in flight
  cursorHint: null, // {key, page, cursor}: use cursor= for that page
};

// The sidebar entry of a table, or null (list not loaded, or no such table).
export function tableInfo(name) {
  return store.tables.find((t) => t.name === name) || null;
}

// The grid's columns: pinned ones first (in pin order), hidden ones left out.
export function visibleColumns() {
  if (!store.columns) return { cols: [], pinnedCount: 0 };
  const hidden = new Set(store.prefs.hidden);
  const byName = new Map(store.columns.map((c) => [c.name, c]));
  const pinned = store.prefs.pinned.filter((n) => byName.has(n) && !hidden.has(n)).map((n) => byName.get(n));
  const pinSet = new Set(pinned.map((c) => c.name));
  const rest = store.columns.filter((c) => !hidden.has(c.name) && !pinSet.has(c.name));
  return { cols: [...pinned, ...rest], pinnedCount: pinned.length };
}

// True when a search or a column filter narrows the view.
export function hasFilters(view = store.view) {
  return !!view.search || Object.keys(view.filters).length > 0;
}

// Identifies the rows a view selects, page aside (cursor hints must match it).
export function viewKey(table, v) {
  return JSON.stringify([table, v.pageSize, v.sort, v.search, v.filters]);
}

// Stores the current table's prefs in localStorage.
export function savePrefs() {
  st.savePrefs(store.table, store.prefs);
}
