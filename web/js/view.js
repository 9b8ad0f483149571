// The table view: opening a table from a route, loading a page of rows
// (columns once, then rows; a stale cursor or a vanished column is recovered
// from), rendering grid, pager and the empty and error states, and moving
// between pages. Writes the table fields of store; URL changes go through
// router.js.

import { api, ApiError, viewParams } from './api.js';
import * as st from './state.js';
import * as pg from './pager.js';
import { esc } from './format.js';
import { toast } from './clipboard.js';
import { store, hasFilters, savePrefs, viewKey, visibleColumns } from './store.js';
import { navigateView, replaceHash, showView } from './router.js';
import { renderColumnsButton, renderHeader } from './toolbar.js';
import { hideBanner, showBanner, tableErrorBanner } from './banner.js';
import { checkMode, pollStatus, setLive } from './status.js';
import { openDetail } from './rowdetail.js';

const $ = (id) => document.getElementById(id);

let grid = null;
let detail = null;

// widgets: {grid: Grid, detail: DetailPanel}. Wires the pager's buttons and
// its rows-per-page select.
export function initView(widgets) {
  ({ grid, detail } = widgets);
  $('pager').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-page]');
    if (b && !b.disabled) goPage(b.dataset.page);
  });
  $('pager').addEventListener('change', (e) => {
    if (e.target.id !== 'page-size') return;
    const size = Number(e.target.value);
    store.prefs.pageSize = size === st.DEFAULT_PAGE_SIZE ? null : size;
    savePrefs();
    // keep the first visible row on screen
    const first = store.resp ? ((Number(store.resp.page) || 1) - 1) * (Number(store.resp.page_size) || 50) : 0;
    navigateView({ pageSize: size, page: Math.floor(first / size) + 1 });
  });
}

export function openTable(r) {
  const changed = r.table !== store.table;
  if (changed) {
    if (store.loadCtrl) store.loadCtrl.abort();
    store.table = r.table;
    store.columns = null;
    store.rel = null;
    store.resp = null;
    store.error = null;
    store.prefs = st.loadPrefs(r.table);
    detail.hide();
    grid.focus = { r: 0, c: 0 };
    $('grid').innerHTML = '';
  }
  let view = r.view;
  if (r.bare && (store.prefs.sort.length || store.prefs.pageSize)) {
    view = { ...view, sort: store.prefs.sort.slice(), pageSize: store.prefs.pageSize || st.DEFAULT_PAGE_SIZE };
    const canon = st.tableHash(r.table, view);
    if (canon !== location.hash) replaceHash(canon);
  }
  store.view = view;
  showView('table');
  const search = $('search');
  if (document.activeElement !== search || changed) search.value = view.search;
  renderHeader();
  loadRows();
}

export function leaveTable() {
  if (store.loadCtrl) store.loadCtrl.abort();
  store.table = null;
  detail.hide();
}

function rowsParamsFor(view) {
  const extra = { page_size: view.pageSize };
  const hint = store.cursorHint;
  if (hint && hint.key === viewKey(store.table, view) && hint.page === view.page) extra.cursor = hint.cursor;
  else extra.page = view.page;
  return viewParams(view, extra);
}

export async function loadRows() {
  const seq = ++store.loadSeq;
  if (store.loadCtrl) store.loadCtrl.abort();
  const ctrl = new AbortController();
  store.loadCtrl = ctrl;
  const table = store.table;
  const view = store.view;
  setLoading(true);
  if (!store.resp) { // first load of this table: placeholder rows (header once columns are known)
    const v = visibleColumns();
    grid.skeleton(v.cols, v.pinnedCount);
  }
  const colsP = store.columns ? Promise.resolve({ columns: store.columns, ...relOf(store.rel) })
    : api.columns(table, { signal: ctrl.signal });
  const params = rowsParamsFor(view);
  const rowsP = api.rows(table, params, { signal: ctrl.signal });
  const [cr, rr] = await Promise.allSettled([colsP, rowsP]);
  if (seq !== store.loadSeq) return;
  store.cursorHint = null;
  setLoading(false);
  if (cr.status === 'fulfilled' && !store.columns) {
    store.columns = cr.value.columns;
    store.rel = { fks: cr.value.foreign_keys || [], refby: cr.value.referenced_by || [] };
    renderHeader();
  }
  if (rr.status === 'rejected') {
    if (rr.reason && rr.reason.name === 'AbortError') return;
    if (params.has('cursor') && rr.reason instanceof ApiError && rr.reason.status === 400) {
      loadRows(); // a stale cursor (server restarted, data changed): use the page number
      return;
    }
    if (rr.reason instanceof ApiError && rr.reason.status === 400 && store.columns && dropUnknownColumns(view)) return;
    showTableError(rr.reason);
    return;
  }
  const resp = rr.value;
  if (Array.isArray(resp.columns) && resp.columns.length && !sameColumns(store.columns, resp.columns)) {
    store.columns = resp.columns;
    renderHeader();
  }
  // A page past the end (rows were deleted, or a stale link): go to the last one.
  if (resp.rows.length === 0 && Number(resp.page) > 1 && Number(resp.total_rows) > 0 && view.page !== 'last') {
    navigateView({ page: 'last' }, true);
    return;
  }
  if (view.page === 'last' || Number(resp.page) !== view.page) {
    store.view = { ...view, page: Number(resp.page) || 1 };
    replaceHash(st.tableHash(table, store.view));
  }
  store.resp = resp;
  store.error = null;
  hideBanner();
  renderRows();
  if (store.live !== 'live' && store.live !== 'unknown') pollStatus();
  if (resp.count_pending) followCount(seq, table, view, ctrl.signal);
}

// The page came with an estimate ("about N") while the server counts the view
// exactly in the background: ask for that count (the server holds each ask up
// to 2 s) and, once it is exact, show it. Only the numbers change, in place;
// a newer load (another page, view or table) ends the wait.
async function followCount(seq, table, view, signal) {
  const params = viewParams(view);
  for (let i = 0; i < 30 && seq === store.loadSeq; i++) {
    let c;
    try {
      c = await api.count(table, params, { signal });
    } catch {
      return; // aborted or failed: the estimate stays, marked "about"
    }
    if (seq !== store.loadSeq || !store.resp) return;
    if (c.total_rows_exact) {
      store.resp = { ...store.resp, total_rows: c.total_rows, total_rows_exact: true, count_pending: false };
      $('grid').setAttribute('aria-rowcount', String(Number(c.total_rows) + 1));
      renderPager();
      return;
    }
    if (!c.count_pending) return; // too slow to count exactly: "about" it is
  }
}

function relOf(rel) {
  return rel ? { foreign_keys: rel.fks, referenced_by: rel.refby } : {};
}

// A stored or linked view may name columns that no longer exist: drop those
// sort keys and filters (with a note) instead of failing. True when it did.
function dropUnknownColumns(view) {
  const known = new Set(store.columns.map((c) => c.name));
  const sort = view.sort.filter((s) => known.has(s.col));
  const gone = [...view.sort.filter((s) => !known.has(s.col)).map((s) => s.col),
    ...Object.keys(view.filters).filter((c) => !known.has(c))];
  if (!gone.length) return false;
  const filters = Object.fromEntries(Object.entries(view.filters).filter(([c]) => known.has(c)));
  store.prefs.sort = store.prefs.sort.filter((s) => known.has(s.col));
  savePrefs();
  toast(`Ignored column${gone.length === 1 ? '' : 's'} that no longer exist${gone.length === 1 ? 's' : ''}: ${[...new Set(gone)].join(', ')}`);
  navigateView({ sort, filters, page: 1 }, true);
  return true;
}

function sameColumns(a, b) {
  if (!a || a.length !== b.length) return false;
  return a.every((c, i) => c.name === b[i].name && c.display_type === b[i].display_type);
}

let loadingTimer = 0;
function setLoading(on) {
  const wrap = $('grid-wrap');
  clearTimeout(loadingTimer);
  if (on) {
    $('grid').setAttribute('aria-busy', 'true');
    loadingTimer = setTimeout(() => wrap.classList.add('is-loading'), 120);
  } else {
    $('grid').removeAttribute('aria-busy');
    wrap.classList.remove('is-loading');
  }
}

export function renderRows() {
  const resp = store.resp;
  const v = visibleColumns();
  const page = Number(resp.page) || 1;
  const size = Number(resp.page_size) || store.view.pageSize;
  grid.setModel({
    columns: v.cols,
    pinnedCount: v.pinnedCount,
    sort: store.view.sort,
    rows: resp.rows,
    firstRowNumber: (page - 1) * size + 1,
    totalRows: resp.total_rows,
  });
  $('grid-wrap').classList.remove('is-stale');
  renderGridState();
  renderPager();
  renderHeader();
  if (detail.open) {
    if (resp.rows.length) openDetail(Math.max(0, grid.focusedRow() ?? 0), false);
    else detail.hide();
  } else if (store.view.detail && resp.rows.length) {
    grid.focusCell(0, 0, false);
    openDetail(0); // a key link: the referenced row with its details
  }
}

function renderGridState() {
  const el = $('grid-state');
  const resp = store.resp;
  if (!resp || resp.rows.length) {
    el.hidden = true;
    el.innerHTML = '';
    return;
  }
  el.hidden = false;
  if (hasFilters()) {
    const nf = Object.keys(store.view.filters).length;
    const what = [];
    if (store.view.search) what.push(`the search “${esc(store.view.search)}”`);
    if (nf) what.push(`${nf} column filter${nf === 1 ? '' : 's'}`);
    el.innerHTML = `<div class="state-box state-nomatch"><h2>No rows match</h2>
      <p class="muted">Nothing in this table matches ${what.join(' and ')}.</p>
      <button type="button" class="btn btn-primary" data-act="clear-filters">Clear filters</button></div>`;
  } else {
    el.innerHTML = `<div class="state-box state-empty"><h2>This table has no rows</h2>
      <p class="muted">It exists and you can read it, but it is empty right now.</p></div>`;
  }
}

function pagerModel() {
  return pg.pagerModel(store.resp, store.view.pageSize);
}

function renderPager() {
  $('pager').innerHTML = store.resp ? pg.pagerHtml(store.resp, pagerModel()) : '';
}

export function goPage(which) {
  if (!store.resp || !store.table) return;
  const m = pagerModel();
  const key = viewKey(store.table, store.view);
  if (which === 'next') {
    if (!m.hasNext) return;
    if (store.resp.next_cursor != null) store.cursorHint = { key, page: m.page + 1, cursor: store.resp.next_cursor };
    navigateView({ page: m.page + 1 });
  } else if (which === 'prev') {
    if (!m.hasPrev) return;
    if (store.resp.prev_cursor != null) store.cursorHint = { key, page: Math.max(1, m.page - 1), cursor: store.resp.prev_cursor };
    navigateView({ page: Math.max(1, m.page - 1) });
  } else if (which === 'first') {
    if (m.page !== 1) navigateView({ page: 1 });
  } else if (which === 'last') {
    if (m.hasNext) navigateView({ page: m.last !== null && store.resp.total_rows_exact ? m.last : 'last' });
  } else {
    const p = Number(which);
    if (Number.isFinite(p) && p >= 1 && p !== m.page) navigateView({ page: p });
  }
}

function showTableError(e) {
  store.error = e;
  const err = e instanceof ApiError ? e : new ApiError(String(e && e.message ? e.message : e), 0, 'client');
  const b = tableErrorBanner(err, { filtered: hasFilters(), sorted: store.view.sort.length > 0 });
  if (b.checkMode) checkMode();
  if (b.live) setLive(b.live, err.message);
  showBanner($('banner'), b.title, b.message, b.actions);
  if (b.clearRows || !store.resp) {
    store.resp = null;
    const v = visibleColumns();
    grid.setModel({ columns: v.cols, pinnedCount: v.pinnedCount, sort: store.view.sort, rows: [], firstRowNumber: 1, totalRows: 0 });
    $('grid-state').hidden = true;
    $('pager').innerHTML = '';
  } else {
    $('grid-wrap').classList.add('is-stale');
  }
}

// Columns changed (pin/hide/show) but the rows did not: render without a fetch.
export function rerenderColumns(focusCol) {
  if (store.resp) renderRows();
  else if (store.columns) {
    const v = visibleColumns();
    grid.setModel({ columns: v.cols, pinnedCount: v.pinnedCount, sort: store.view.sort, rows: [], firstRowNumber: 1, totalRows: 0 });
  }
  renderColumnsButton();
  if (focusCol) {
    const i = grid.columns.findIndex((c) => c.name === focusCol);
    if (i >= 0) grid.focusCell(-1, i);
  }
}
