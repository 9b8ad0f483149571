// Relations in the UI (SPEC §9): a foreign-key cell links to the referenced
// row (its table filtered on every key column, detail panel open: the URL
// says detail=1, so Back returns), showing the row's label with the raw
// value muted beside it; the row detail lists "Referenced by": each child
// table with its count of rows pointing here (the server's count: "about"
// when it gave an estimate) and a link to those rows. Keys come from
// /columns (store.rel), labels from the rows answer (store.resp.labels).

import { api, viewParams } from './api.js';
import { esc, formatInt } from './format.js';
import * as st from './state.js';
import { store, tableInfo } from './store.js';

// The key a column belongs to: its single-column key, else a composite one.
export function keyOf(colName) {
  const fks = (store.rel && store.rel.fks) || [];
  return fks.find((f) => f.columns.length === 1 && f.columns[0] === colName)
    || fks.find((f) => f.columns.includes(colName)) || null;
}

// #/t/<table>?filter.a==x&filter.b==y&detail=1, or null when a value is NULL.
function rowsHash(table, cols, values) {
  const filters = {};
  for (let i = 0; i < cols.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || typeof v === 'object') return null;
    filters[cols[i]] = `=${v}`;
  }
  return st.tableHash(table, { page: 1, pageSize: st.DEFAULT_PAGE_SIZE, sort: [], search: '', filters });
}

export function refHash(fk, row) {
  const h = rowsHash(fk.table, fk.ref_columns, fk.columns.map((c) => row[c]));
  return h && `${h}${h.includes('?') ? '&' : '?'}detail=1`;
}

function labelOf(col, value) {
  const l = store.resp && store.resp.labels && store.resp.labels[col];
  return l && Object.prototype.hasOwnProperty.call(l, String(value)) ? l[String(value)] : null;
}

function tableName(name) {
  const t = tableInfo(name);
  return t ? t.display_name : name;
}

// The grid cell of a key column: p (format.js cellParts) wrapped in a link.
export function keyCell(p, row, col) {
  const fk = keyOf(col.name);
  const value = row[col.name];
  const href = fk && refHash(fk, row);
  if (!href) return p;
  const label = fk.columns.length === 1 ? labelOf(col.name, value) : null;
  const inner = label === null ? p.html
    : `<span class="fk-label">${esc(label)}</span> <span class="fk-raw">${p.html}</span>`;
  const tip = `Open ${tableName(fk.table)} ${label === null ? value : `“${label}” (${value})`}`;
  return { cls: `${p.cls} c-fk${label === null ? '' : ' c-fk-label'}`, title: tip, html: `<a class="fk" tabindex="-1" href="${esc(href)}">${inner}</a>` };
}

// The detail panel's line under a key value: a link to the referenced row.
export function keyDetailHtml(row, col) {
  const fk = keyOf(col.name);
  const href = fk && refHash(fk, row);
  if (!href) return '';
  const label = fk.columns.length === 1 ? labelOf(col.name, row[col.name]) : null;
  return `<a class="fk fk-open" href="${esc(href)}">${label === null ? '' : `${esc(label)} · `}open in ${esc(tableName(fk.table))} →</a>`;
}

// "Referenced by" of the row: one entry per child key, counts filled in later.
export function referencedByHtml(row) {
  const refby = (store.rel && store.rel.refby) || [];
  const items = refby.map((r, i) => {
    const href = rowsHash(r.table, r.columns, r.ref_columns.map((c) => row[c]));
    if (!href) return '';
    const via = r.columns.join(', ');
    return `<li><a class="refby-link" href="${esc(href)}" data-i="${i}">${esc(tableName(r.table))}</a>`
      + ` <span class="muted">by ${esc(via)}</span> <span class="refby-count muted" data-i="${i}">…</span></li>`;
  }).join('');
  if (!items) return '';
  return `<div class="dl-row refby"><dt><span class="dl-name">Referenced by</span></dt><dd><ul class="refby-list">${items}</ul></dd></div>`;
}

let countsCtrl = null;

// Asks each child table how many rows point at row; writes the counts into el.
export function loadReferencedCounts(el, row) {
  if (countsCtrl) countsCtrl.abort();
  countsCtrl = new AbortController();
  const signal = countsCtrl.signal;
  const refby = (store.rel && store.rel.refby) || [];
  refby.forEach(async (r, i) => {
    const span = el.querySelector(`.refby-count[data-i="${i}"]`);
    if (!span) return;
    const filters = {};
    r.columns.forEach((c, k) => { filters[c] = `=${row[r.ref_columns[k]]}`; });
    try {
      const resp = await api.rows(r.table, viewParams({ filters }, { page_size: 1, labels: 'off' }), { signal });
      const n = Number(resp.total_rows);
      span.textContent = `${resp.total_rows_exact === false ? 'about ' : ''}${formatInt(n)} row${n === 1 ? '' : 's'}`;
      if (resp.total_rows_exact === false) span.title = 'An estimate: counting exactly would take too long';
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      span.textContent = 'count unavailable';
      span.title = e && e.message ? e.message : '';
    }
  });
}
