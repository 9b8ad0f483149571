// The table view's toolbar and filter bar, drawn from store: title and real
// name, search hint, the Columns button, the Export CSV link and one chip per
// active filter. Render functions only; the chips' and buttons' actions
// (data-act) are wired in app.js and columns.js.

import { api, viewParams } from './api.js';
import { esc, isTextType } from './format.js';
import { store, hasFilters, tableInfo } from './store.js';
import { setTitle } from './router.js';

const $ = (id) => document.getElementById(id);

export function renderHeader() {
  const t = tableInfo(store.table);
  const label = t ? t.display_name : store.table;
  $('table-title').textContent = label;
  const sub = [];
  if (t && t.display_name !== t.name) sub.push(t.name);
  if (t && t.kind && t.kind !== 'table') sub.push(t.kind.replace('_', ' '));
  $('table-sub').textContent = sub.join(' · ');
  setTitle(label);
  renderSearchHint();
  renderFilterBar();
  renderColumnsButton();
  renderExportLink();
}

function renderSearchHint() {
  const search = $('search');
  const hint = $('search-hint');
  if (!store.columns) {
    hint.textContent = '';
    return;
  }
  const n = store.columns.filter((c) => isTextType(c.display_type)).length;
  search.disabled = n === 0;
  search.placeholder = n === 0 ? 'No text columns' : 'Search';
  hint.textContent = n === 0 ? 'no text columns to search'
    : `searching ${n} text column${n === 1 ? '' : 's'}`;
}

function renderFilterBar() {
  const el = $('filter-bar');
  const v = store.view;
  const entries = Object.entries(v.filters);
  if (!entries.length && !v.search) {
    el.hidden = true;
    el.innerHTML = '';
    return;
  }
  const name = (c) => {
    const col = store.columns && store.columns.find((x) => x.name === c);
    return col ? col.display_name : c;
  };
  let h = '<span class="fb-label">Filtered by</span>';
  if (v.search) {
    h += `<span class="chip"><span class="chip-body">Search: “${esc(v.search)}”</span><button type="button" class="chip-x" data-act="remove-search" aria-label="Remove search ${esc(v.search)}">✕</button></span>`;
  }
  for (const [c, e] of entries) {
    h += `<span class="chip" data-col="${esc(c)}"><button type="button" class="chip-body" data-act="edit-filter" data-col="${esc(c)}" title="Edit this filter">${esc(name(c))}: <code>${esc(e)}</code></button><button type="button" class="chip-x" data-act="remove-filter" data-col="${esc(c)}" aria-label="Remove filter on ${esc(name(c))}">✕</button></span>`;
  }
  h += '<button type="button" class="btn btn-link" data-act="clear-filters">Clear all</button>';
  el.innerHTML = h;
  el.hidden = false;
}

export function renderColumnsButton() {
  const n = store.columns ? store.prefs.hidden.filter((h) => store.columns.some((c) => c.name === h)).length : 0;
  $('columns-btn').textContent = n ? `Columns · ${n} hidden` : 'Columns';
  $('columns-btn').disabled = !store.columns;
}

function renderExportLink() {
  const a = $('export');
  const params = viewParams(store.view);
  a.href = api.exportUrl(store.table, params);
  a.setAttribute('download', `${store.table.replace(/[\\/:*?"<>|]+/g, '_')}.csv`);
  a.title = hasFilters() || store.view.sort.length
    ? 'Download all rows of this view (same search, filters and sort) as CSV'
    : 'Download all rows of this table as CSV';
}
