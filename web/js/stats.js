// Column insight: masking of sensitive columns ("sensitive": true in
// /columns, from display.sensitive) and the column menu's statistics
// (GET /api/tables/{t}/stats/{column}, SPEC §10).
//
// Masking guards a shared screen, not the data: the values are in every API
// answer and in exports. A cell is revealed by a click (until its page is
// reloaded: revealed cells are remembered per row object, which a new page
// replaces); a column by the menu's "Reveal column" (until another table is
// opened or the page reloads). Nothing of it is stored.

import { api, ApiError, viewParams } from './api.js';
import { cellParts, esc, formatInt } from './format.js';
import { store } from './store.js';

export const MASK = '••••••';
const MASK_HTML = `<span class="masked-val" aria-label="Hidden value (sensitive column)">${MASK}</span>`;

const revealedCells = new WeakMap(); // row object -> Set of column names
let revealedCols = { table: null, names: new Set() };

function colsOfTable() {
  if (revealedCols.table !== store.table) revealedCols = { table: store.table, names: new Set() };
  return revealedCols.names;
}

export function isColumnRevealed(col) {
  return colsOfTable().has(col.name);
}

// True when row's value in col is shown as ••••••.
export function isMasked(row, col) {
  if (!col.sensitive || isColumnRevealed(col)) return false;
  const s = row && revealedCells.get(row);
  return !(s && s.has(col.name));
}

// The grid cell's HTML for a masked value, or null when it shows.
export function maskedCellHtml(row, col) {
  return isMasked(row, col) ? MASK_HTML : null;
}

export function revealCell(row, col) {
  if (!row) return;
  let s = revealedCells.get(row);
  if (!s) revealedCells.set(row, (s = new Set()));
  s.add(col.name);
}

export function setColumnRevealed(col, on) {
  const names = colsOfTable();
  if (on) names.add(col.name);
  else names.delete(col.name);
}

// The column menu's group for a sensitive column: reveal/mask and what it is for.
export function maskGroupHtml(col) {
  if (!col.sensitive) return '';
  const shown = isColumnRevealed(col);
  return `<div class="pm-group" role="group" aria-label="Sensitive column">
      <button type="button" class="pm-item" data-act="${shown ? 'mask' : 'reveal'}"><span class="pm-ic" aria-hidden="true">${shown ? '•' : '◉'}</span>${shown ? 'Mask column' : 'Reveal column'}</button>
      <div class="pm-note" role="note">Sensitive column: its values are hidden to guard a shared screen, not the data (exports and the API still hold them). To keep a column out of SeeKi, use <code>columns.exclude</code> or database grants.</div>
    </div>`;
}

// The filter expression that selects exactly value in col (a top value), or
// null when a value's JSON form is not the text the server compares (JSON and
// List values, Binary cut at 1024 bytes): those are shown, not clickable.
export function exactFilter(value, col) {
  if (col.display_type === 'Yes/No' && typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'string' || col.display_type === 'Binary') return null;
  return `=${value}`;
}

function valueHtml(v, col, masked) {
  if (masked && v !== null && v !== undefined) return MASK_HTML;
  if (v === '') return '<span class="st-empty">empty text</span>';
  return cellParts(v, col).html;
}

function avgText(v) {
  if (typeof v !== 'number') return String(v);
  return v.toLocaleString(undefined, { maximumFractionDigits: Math.abs(v) >= 100 ? 2 : 4, useGrouping: false });
}

// The figures arrive after the menu was placed: keep it inside the window.
function fitPopover(el) {
  const pop = el.closest('.popover');
  if (!pop) return;
  const r = pop.getBoundingClientRect();
  const room = window.innerHeight - r.top - 8;
  if (r.height > room) pop.style.maxHeight = `${Math.max(160, room)}px`;
}

// Fills el (the menu's .pm-stats) with col's figures for the current view:
// a loading line, then the figures, or the server's message. Clicking a top
// value calls onPick(filterExpression). Returns an abort function.
export function mountStats(el, col, onPick) {
  const ctrl = new AbortController();
  el.innerHTML = '<div class="st-title">Statistics</div><div class="st-loading" aria-live="polite">Loading statistics…</div>';
  el.setAttribute('aria-busy', 'true');
  const view = store.view || { sort: [], search: '', filters: {} };
  const params = viewParams({ search: view.search, filters: view.filters });
  api.stats(store.table, col.name, params, { signal: ctrl.signal }).then((s) => {
    if (ctrl.signal.aborted) return;
    el.removeAttribute('aria-busy');
    const masked = col.sensitive && !isColumnRevealed(col);
    const fig = (label, v) => `<div class="st-fig"><dt>${label}</dt><dd>${v}</dd></div>`;
    // two columns: Rows | Empty, Distinct | Average, Min | Max
    let figs = fig('Rows', formatInt(s.count)) + fig('Empty (NULL)', formatInt(s.nulls))
      + fig('Distinct', formatInt(s.distinct));
    figs += s.avg !== null ? fig('Average', esc(avgText(s.avg))) : '<div class="st-fig"></div>';
    if (s.min !== null || s.max !== null) {
      figs += fig('Min', valueHtml(s.min, col, masked)) + fig('Max', valueHtml(s.max, col, masked));
    }
    let top = '';
    if (s.top && s.top.length) {
      const most = s.top[0].count || 1;
      const hint = s.top.some((t) => exactFilter(t.value, col) !== null) ? ' <span class="muted">(click to filter)</span>' : '';
      top = `<div class="st-sub">Most frequent${hint}</div><ul class="st-top">`
        + s.top.map((t, i) => {
          const expr = exactFilter(t.value, col);
          const inner = `<span class="st-bar" data-w="${Math.max(2, Math.round((100 * t.count) / most))}"></span>`
            + `<span class="st-v">${valueHtml(t.value, col, masked)}</span><span class="st-n">${formatInt(t.count)}</span>`;
          return expr === null ? `<li><div class="st-val st-static">${inner}</div></li>`
            : `<li><button type="button" class="st-val" data-i="${i}" title="Filter: ${esc(masked ? MASK : expr)}">${inner}</button></li>`;
        }).join('')
        + '</ul>';
    } else if (s.top) {
      top = '<div class="st-sub muted">No values</div>';
    }
    const note = s.exact ? ''
      : `<div class="st-note" role="note">Sampled: figures from ${formatInt(s.count)} rows read, not every matching row.</div>`;
    el.innerHTML = `<div class="st-title">Statistics${s.exact ? '' : ' <span class="st-badge">sampled</span>'}</div>`
      + `<dl class="st-figs">${figs}</dl>${top}${note}`;
    // bar widths through CSSOM (the CSP refuses style attributes)
    for (const b of el.querySelectorAll('.st-bar[data-w]')) b.style.width = `${b.dataset.w}%`;
    fitPopover(el);
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button.st-val');
      if (b) onPick(exactFilter(s.top[Number(b.dataset.i)].value, col));
    });
  }).catch((e) => {
    if (ctrl.signal.aborted || (e && e.name === 'AbortError')) return;
    el.removeAttribute('aria-busy');
    el.innerHTML = `<div class="st-title">Statistics</div><div class="pm-error" role="alert">${esc(e instanceof ApiError ? e.message : String(e))}</div>`;
  });
  return () => ctrl.abort();
}
