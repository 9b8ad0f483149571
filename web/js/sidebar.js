// The table list: loading /api/tables into store.tables, the sidebar list
// with its filter box, the home view's cards, and showing or hiding the
// sidebar (a collapsible column when wide, an overlay below 900 px; the wide
// state is remembered in localStorage).

import { api, ApiError } from './api.js';
import * as st from './state.js';
import { esc, formatCount, formatInt } from './format.js';
import { store } from './store.js';
import { showBanner } from './banner.js';
import { setLive } from './status.js';
import { renderHeader } from './toolbar.js';

const $ = (id) => document.getElementById(id);
const narrowMq = window.matchMedia('(max-width: 900px)');
const NO_TABLES = 'No tables to show. Check database.schemas and tables.include / tables.exclude in seeki.toml.';

let grid = null;

// widgets: {grid: Grid} (pinned columns are measured again after a toggle).
export function initSidebar(widgets) {
  ({ grid } = widgets);
  $('sidebar-toggle').addEventListener('click', () => setSidebar(!sidebarOpen()));
  $('scrim').addEventListener('click', () => setSidebar(false));
  narrowMq.addEventListener('change', () => {
    $('app').classList.remove('sidebar-open');
    $('scrim').hidden = true;
    restoreSidebar();
  });
  $('table-filter').addEventListener('input', () => renderTableList());
  $('table-list').addEventListener('click', (e) => {
    if (e.target.closest('a') && narrowMq.matches) setSidebar(false);
  });
}

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

// The sidebar as the window size wants it: closed when narrow, else as stored.
export function restoreSidebar() {
  setSidebar(narrowMq.matches ? false : !st.loadSidebarCollapsed(), false);
}

// Esc: closes the overlay sidebar of a narrow window; true when it did.
export function closeOverlaySidebar() {
  if (!(narrowMq.matches && sidebarOpen())) return false;
  setSidebar(false);
  return true;
}

export function renderTableList() {
  const ul = $('table-list');
  const note = $('table-list-state');
  if (store.tablesState !== 'ok') {
    ul.innerHTML = '';
    note.hidden = false;
    const setup = store.status && store.status.mode === 'setup';
    note.textContent = store.tablesState === 'loading' ? 'Loading tables…'
      : setup ? 'No database yet: the tables appear here once setup is saved.' : 'The table list could not be loaded.';
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
  note.textContent = store.tables.length ? `No table matches “${$('table-filter').value.trim()}”.` : NO_TABLES;
}

export function renderHome() {
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
    : NO_TABLES;
  ul.innerHTML = store.tables.map((t) => `<li><a class="home-card" href="${esc(st.tableHash(t.name, null))}">
      <span class="hc-name">${esc(t.display_name || t.name)}</span>
      <span class="hc-meta">${esc(t.name)}${t.kind && t.kind !== 'table' ? ` · ${esc(t.kind.replace('_', ' '))}` : ''}${t.row_count_estimate != null ? ` · ${esc(formatInt(t.row_count_estimate))} rows` : ''}</span></a></li>`).join('');
}

// Setup mode: there is no table list to load.
export function setTablesUnavailable() {
  store.tablesState = 'error';
  renderTableList();
}

export async function loadTables() {
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
