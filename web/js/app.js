// SeeKi's browser UI: shell (branding, sidebar, live indicator, theme), the
// router (#/, #/setup, #/t/<table>?…), and the table view controller that
// turns URL state into rows requests and renders grid, pager and states.
// Talks to the server only through api.js (SPEC §5).

import { api, ApiError, viewParams } from './api.js';
import * as st from './state.js';
import { Grid } from './grid.js';
import { Popover, columnMenu, columnChooser } from './menu.js';
import { DetailPanel } from './detail.js';
import * as pg from './pager.js';
import { toast, writeClipboard } from './clipboard.js';
import { copyText, esc, formatCount, formatInt, isTextType } from './format.js';
import { store, hasFilters, savePrefs, tableInfo, viewKey, visibleColumns } from './store.js';
import { handleRoute, initRouter, navigateView, replaceHash, setTitle, showView } from './router.js';
import { initStatus, pollStatus, setLive } from './status.js';
import { hideBanner, showBanner, tableErrorBanner } from './banner.js';
import { initTheme, renderThemeButton } from './theme.js';
import { loadBranding } from './branding.js';

const $ = (id) => document.getElementById(id);
const SEARCH_DEBOUNCE_MS = 250;

const grid = new Grid($('grid'), $('grid-wrap'), {
  onSort: (col, additive) => sortBy(col.name, additive),
  onMenu: (col, anchor) => openColumnMenu(col, anchor),
  onDetail: (r) => openDetail(r),
  onCopy: (r, col) => copyCell(r, col),
  onFocusRow: (r) => { if (detail.open) openDetail(r, false); },
});
const popover = new Popover();
const detail = new DetailPanel($('detail'), {
  onClose: () => closeDetail(),
  onMove: (d) => {
    const r = (grid.focusedRow() ?? 0) + d;
    if (store.resp && r >= 0 && r < store.resp.rows.length) grid.focusCell(r, grid.focus.c);
  },
});

function leaveTable() {
  if (store.loadCtrl) store.loadCtrl.abort();
  store.table = null;
  detail.hide();
}

// ------------------------------------------------------------ table view --

function openTable(r) {
  const changed = r.table !== store.table;
  if (changed) {
    if (store.loadCtrl) store.loadCtrl.abort();
    store.table = r.table;
    store.columns = null;
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
    if (canon !== location.hash) {
      replaceHash(canon);
    }
  }
  store.view = view;
  showView('table');
  const search = $('search');
  if (document.activeElement !== search || changed) search.value = view.search;
  renderHeader();
  loadRows();
}

function renderHeader() {
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

function rowsParamsFor(view) {
  const extra = { page_size: view.pageSize };
  const hint = store.cursorHint;
  if (hint && hint.key === viewKey(store.table, view) && hint.page === view.page) extra.cursor = hint.cursor;
  else extra.page = view.page;
  return viewParams(view, extra);
}

async function loadRows() {
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
  const colsP = store.columns ? Promise.resolve({ columns: store.columns })
    : api.columns(table, { signal: ctrl.signal });
  const params = rowsParamsFor(view);
  const rowsP = api.rows(table, params, { signal: ctrl.signal });
  const [cr, rr] = await Promise.allSettled([colsP, rowsP]);
  if (seq !== store.loadSeq) return;
  store.cursorHint = null;
  setLoading(false);
  if (cr.status === 'fulfilled' && !store.columns) {
    store.columns = cr.value.columns;
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

function renderRows() {
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

function goPage(which) {
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

// --------------------------------------------------------------- errors ----

function showTableError(e) {
  store.error = e;
  const err = e instanceof ApiError ? e : new ApiError(String(e && e.message ? e.message : e), 0, 'client');
  const b = tableErrorBanner(err, { filtered: hasFilters(), sorted: store.view.sort.length > 0 });
  if (b.checkStatus) pollStatus();
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

document.addEventListener('click', (e) => {
  const b = e.target.closest('[data-act]');
  if (!b || b.closest('.popover') || b.closest('#detail')) return;
  const act = b.dataset.act;
  if (act === 'retry') {
    hideBanner();
    loadRows();
  } else if (act === 'clear-filters') {
    clearFilters();
  } else if (act === 'clear-sort') {
    store.prefs.sort = [];
    savePrefs();
    navigateView({ sort: [], page: 1 });
  } else if (act === 'reload-tables') {
    loadTables();
  } else if (act === 'remove-filter') {
    const filters = { ...store.view.filters };
    delete filters[b.dataset.col];
    navigateView({ filters, page: 1 });
  } else if (act === 'remove-search') {
    $('search').value = '';
    navigateView({ search: '', page: 1 });
  } else if (act === 'edit-filter') {
    const col = store.columns && store.columns.find((c) => c.name === b.dataset.col);
    if (col) openColumnMenu(col, b);
  } else if (act === 'retry-tables') {
    loadTables();
  }
});

function clearFilters() {
  $('search').value = '';
  navigateView({ search: '', filters: {}, page: 1 });
}

// ----------------------------------------------- sort, filter, columns ----

function sortBy(colName, additive) {
  let sort = store.view.sort.map((s) => ({ ...s }));
  const i = sort.findIndex((s) => s.col === colName);
  if (additive) {
    if (i < 0) sort.push({ col: colName, dir: 'asc' });
    else if (sort[i].dir === 'asc') sort[i].dir = 'desc';
    else sort.splice(i, 1);
  } else if (i < 0) {
    sort = [{ col: colName, dir: 'asc' }];
  } else if (sort[i].dir === 'asc') {
    sort = [{ col: colName, dir: 'desc' }];
  } else {
    sort = [];
  }
  setSort(sort);
}

function setSort(sort) {
  store.prefs.sort = sort;
  savePrefs();
  navigateView({ sort, page: 1 });
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

function renderColumnsButton() {
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

function openColumnMenu(col, anchor) {
  if (!store.columns) return;
  const s = store.view.sort.find((x) => x.col === col.name);
  const visible = visibleColumns().cols;
  const { el, input } = columnMenu(col, {
    sortDir: s ? s.dir : null,
    filter: store.view.filters[col.name] || '',
    pinned: store.prefs.pinned.includes(col.name),
    canHide: visible.length > 1 && visible.some((c) => c.name === col.name),
    onSort: (dir) => {
      popover.close();
      let sort = store.view.sort.map((x) => ({ ...x }));
      const i = sort.findIndex((x) => x.col === col.name);
      if (dir === null) sort.splice(i, 1);
      else if (i >= 0) sort[i].dir = dir;
      else sort = [{ col: col.name, dir }];
      setSort(sort);
    },
    onFilter: (expr) => {
      popover.close();
      const filters = { ...store.view.filters };
      if (expr) filters[col.name] = expr;
      else delete filters[col.name];
      navigateView({ filters, page: 1 });
    },
    count: async (expr, signal) => {
      const view = { ...store.view, filters: { ...store.view.filters, [col.name]: expr } };
      const r = await api.rows(store.table, viewParams(view, { page: 1, page_size: 1 }), { signal });
      return { total: r.total_rows, exact: r.total_rows_exact !== false };
    },
    onPin: (on) => {
      popover.close();
      store.prefs.pinned = store.prefs.pinned.filter((n) => n !== col.name);
      if (on) store.prefs.pinned.push(col.name);
      savePrefs();
      rerenderColumns(col.name);
    },
    onHide: () => {
      popover.close(false);
      if (!store.prefs.hidden.includes(col.name)) store.prefs.hidden.push(col.name);
      store.prefs.pinned = store.prefs.pinned.filter((n) => n !== col.name);
      savePrefs();
      rerenderColumns(null);
      grid.enter();
    },
  });
  const header = grid.headerCell(col.name);
  popover.open(el, anchor, { returnFocus: anchor.closest('#grid') ? header : anchor, focusEl: input });
}

// Columns changed (pin/hide/show) but the rows did not: render without a fetch.
function rerenderColumns(focusCol) {
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

$('columns-btn').addEventListener('click', (e) => {
  if (!store.columns) return;
  if (popover.isOpen() && popover.anchor === e.currentTarget) {
    popover.close();
    return;
  }
  const btn = e.currentTarget;
  const open = () => {
    const el = columnChooser({
      columns: store.columns,
      hidden: new Set(store.prefs.hidden),
      onToggle: (name, visible) => {
        const hidden = new Set(store.prefs.hidden);
        if (visible) hidden.delete(name);
        else if (store.columns.length - hidden.size > 1) hidden.add(name);
        store.prefs.hidden = store.columns.map((c) => c.name).filter((n) => hidden.has(n));
        store.prefs.pinned = store.prefs.pinned.filter((n) => !hidden.has(n));
        savePrefs();
        rerenderColumns(null);
        const focusName = name;
        open();
        const cb = [...popover.el.querySelectorAll('input[type=checkbox]')].find((x) => x.dataset.col === focusName);
        if (cb) cb.focus();
      },
      onShowAll: () => {
        store.prefs.hidden = [];
        savePrefs();
        rerenderColumns(null);
        popover.close();
      },
    });
    popover.open(el, btn);
  };
  open();
});

// ------------------------------------------------------ detail and copy ----

function openDetail(r, focusPanel = true) {
  const resp = store.resp;
  if (!resp || !resp.rows[r]) return;
  const page = Number(resp.page) || 1;
  const size = Number(resp.page_size) || store.view.pageSize;
  const wasOpen = detail.open;
  detail.show({
    row: resp.rows[r],
    columns: store.columns,
    hidden: new Set(store.prefs.hidden),
    rowNumber: (page - 1) * size + r + 1,
    total: resp.total_rows,
    exact: resp.total_rows_exact !== false,
    hasPrev: r > 0,
    hasNext: r < resp.rows.length - 1,
  });
  $('grid-wrap').querySelectorAll('tr.is-detail').forEach((tr) => tr.classList.remove('is-detail'));
  const tr = $('grid').tBodies[0] && $('grid').tBodies[0].rows[r];
  if (tr) tr.classList.add('is-detail');
  if (!wasOpen && focusPanel) grid.layoutPins();
}

function closeDetail() {
  if (!detail.hide()) return false;
  $('grid-wrap').querySelectorAll('tr.is-detail').forEach((tr) => tr.classList.remove('is-detail'));
  grid.enter();
  return true;
}

async function copyCell(r, col) {
  const v = store.resp && store.resp.rows[r] ? store.resp.rows[r][col.name] : undefined;
  const ok = await writeClipboard(copyText(v));
  toast(ok ? `Copied ${v === null ? 'NULL (as an empty value)' : col.display_name}` : 'Copy failed: the browser refused clipboard access');
}

// ------------------------------------------------------------- search ----

let searchTimer = 0;
let searchPushed = false;
$('search').addEventListener('focus', () => { searchPushed = false; });
$('search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  const value = e.target.value;
  searchTimer = setTimeout(() => applySearch(value), SEARCH_DEBOUNCE_MS);
});
$('search').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    clearTimeout(searchTimer);
    applySearch(e.target.value);
  } else if (e.key === 'ArrowDown' && !e.altKey) {
    e.preventDefault();
    grid.enter();
  }
});

function applySearch(value) {
  if (!store.table || value === store.view.search) return;
  navigateView({ search: value, page: 1 }, searchPushed);
  searchPushed = true; // one history entry per typing burst, then replaceState
}

// ------------------------------------------------------------- sidebar ----

const narrowMq = window.matchMedia('(max-width: 900px)');

function sidebarOpen() {
  const cl = $('app').classList;
  return narrowMq.matches ? cl.contains('sidebar-open') : !cl.contains('sidebar-collapsed');
}

function setSidebar(open, persist = true) {
  const cl = $('app').classList;
  if (narrowMq.matches) {
    cl.toggle('sidebar-open', open);
    $('scrim').hidden = !open;
  } else {
    cl.toggle('sidebar-collapsed', !open);
    if (persist) st.saveSidebarCollapsed(!open);
  }
  const btn = $('sidebar-toggle');
  btn.setAttribute('aria-expanded', String(open));
  btn.setAttribute('aria-label', open ? 'Hide table list' : 'Show table list');
  if (store.resp) requestAnimationFrame(() => grid.layoutPins());
}

$('sidebar-toggle').addEventListener('click', () => setSidebar(!sidebarOpen()));
$('scrim').addEventListener('click', () => setSidebar(false));
narrowMq.addEventListener('change', () => {
  $('app').classList.remove('sidebar-open');
  $('scrim').hidden = true;
  setSidebar(narrowMq.matches ? false : !st.loadSidebarCollapsed(), false);
});
$('table-filter').addEventListener('input', () => renderTableList());
$('table-list').addEventListener('click', (e) => {
  if (e.target.closest('a') && narrowMq.matches) setSidebar(false);
});

function renderTableList() {
  const ul = $('table-list');
  const note = $('table-list-state');
  if (store.tablesState !== 'ok') {
    ul.innerHTML = '';
    note.hidden = false;
    note.textContent = store.tablesState === 'loading' ? 'Loading tables…' : 'The table list could not be loaded.';
    return;
  }
  const q = $('table-filter').value.trim().toLowerCase();
  const list = store.tables.filter((t) => !q || t.name.toLowerCase().includes(q) || (t.display_name || '').toLowerCase().includes(q));
  ul.innerHTML = list.map((t) => {
    const count = t.row_count_estimate;
    const countTxt = count === null || count === undefined ? '' : formatCount(count);
    const tip = `${t.name}${t.kind && t.kind !== 'table' ? ` (${t.kind.replace('_', ' ')})` : ''}${countTxt ? ` · about ${formatInt(count)} rows` : ''}`;
    return `<li><a class="tl-link" href="${esc(st.tableHash(t.name, null))}" data-table="${esc(t.name)}"${t.name === store.table ? ' aria-current="page"' : ''} title="${esc(tip)}">
      <span class="tl-name">${esc(t.display_name || t.name)}</span>${t.kind && t.kind !== 'table' ? `<span class="tl-kind">${esc(t.kind === 'materialized_view' ? 'mat. view' : t.kind.replace('_', ' '))}</span>` : ''}
      <span class="tl-count">${esc(countTxt)}</span></a></li>`;
  }).join('');
  note.hidden = list.length > 0;
  note.textContent = store.tables.length ? `No table matches “${$('table-filter').value.trim()}”.`
    : 'No tables to show. Check database.schemas and tables.include / tables.exclude in seeki.toml.';
}

function renderHome() {
  const ul = $('home-list');
  if (store.tablesState === 'loading') {
    ul.innerHTML = '<li class="muted">Loading tables…</li>';
    return;
  }
  if (store.tablesState === 'error') {
    ul.innerHTML = '';
    return;
  }
  $('home-sub').textContent = store.tables.length
    ? `${store.tables.length} table${store.tables.length === 1 ? '' : 's'}. Choose one to browse its rows. Nothing here can change your data.`
    : 'No tables to show. Check database.schemas and tables.include / tables.exclude in seeki.toml.';
  ul.innerHTML = store.tables.map((t) => `<li><a class="home-card" href="${esc(st.tableHash(t.name, null))}">
      <span class="hc-name">${esc(t.display_name || t.name)}</span>
      <span class="hc-meta">${esc(t.name)}${t.kind && t.kind !== 'table' ? ` · ${esc(t.kind.replace('_', ' '))}` : ''}${t.row_count_estimate != null ? ` · ${esc(formatInt(t.row_count_estimate))} rows` : ''}</span></a></li>`).join('');
}

async function loadTables() {
  store.tablesState = 'loading';
  renderTableList();
  try {
    const r = await api.tables({ timeoutMs: 60000 });
    store.tables = Array.isArray(r.tables) ? r.tables : [];
    store.tablesState = 'ok';
    $('global-banner').hidden = true;
  } catch (e) {
    store.tablesState = 'error';
    if (!(e instanceof ApiError && e.status === 503 && store.status && store.status.mode === 'setup')) {
      showBanner($('global-banner'), 'Could not load the table list', e.message, ['<button type="button" class="btn" data-act="retry-tables">Retry</button>']);
    }
    if (e instanceof ApiError && e.kind === 'network') setLive('offline', e.message);
  }
  renderTableList();
  if (!$('view-home').hidden) renderHome();
  if (store.table) renderHeader();
}

// ----------------------------------------------------------- keyboard ----

function isEditable(el) {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented) return;
  const t = e.target;
  if (e.key === 'Escape') {
    if (popover.close()) { e.preventDefault(); return; }
    if (narrowMq.matches && sidebarOpen()) { setSidebar(false); e.preventDefault(); return; }
    if (closeDetail()) { e.preventDefault(); return; }
    if (t && t.id === 'search' && t.value) {
      e.preventDefault();
      t.value = '';
      clearTimeout(searchTimer);
      applySearch('');
      return;
    }
    if (t && t.id === 'table-filter') {
      t.value = '';
      renderTableList();
      return;
    }
    if (store.table && !$('view-table').hidden && hasFilters()) {
      e.preventDefault();
      clearFilters();
    }
    return;
  }
  if (isEditable(t) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '/') {
    if (store.table && !$('view-table').hidden && !$('search').disabled) {
      e.preventDefault();
      $('search').focus();
      $('search').select();
    }
    return;
  }
  if (!store.table || $('view-table').hidden || (t && t.closest && (t.closest('.popover') || t.closest('#detail')))) return;
  const map = { PageDown: 'next', PageUp: 'prev', Home: 'first', End: 'last' };
  if (map[e.key]) {
    e.preventDefault();
    goPage(map[e.key]);
  }
});

// --------------------------------------------------------------- start ----

initRouter({
  openTable,
  leaveTable,
  renderHome,
  renderTableList,
  closePopover: () => popover.close(false),
});
initStatus({ loadTables, loadRows });
initTheme();

async function start() {
  renderThemeButton();
  setSidebar(narrowMq.matches ? false : !st.loadSidebarCollapsed(), false);
  renderTableList();
  loadBranding();
  // Wait briefly for /api/status (setup mode changes the route), never long:
  // a slow or dead server must not leave the page blank.
  await Promise.race([pollStatus().catch(() => {}), new Promise((r) => setTimeout(r, 1500))]);
  if (store.status && store.status.mode === 'setup') {
    store.tablesState = 'error';
    renderTableList();
    handleRoute(true);
    return;
  }
  const tablesP = loadTables();
  handleRoute(true);
  await tablesP;
  if (store.table) renderHeader();
}

start();
