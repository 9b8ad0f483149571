// One row of the grid: the detail panel (detail.js) that shows the focused
// row and follows it while open, and copying a cell's value. Reads the
// current page from store.resp; changes no state.

import { copyText } from './format.js';
import { toast, writeClipboard } from './clipboard.js';
import { store } from './store.js';
import { maskedCellHtml } from './stats.js';
import * as st from './state.js';
import { replaceHash } from './router.js';

const $ = (id) => document.getElementById(id);

let grid = null;
let detail = null;

// widgets: {grid: Grid, detail: DetailPanel}
export function initRowDetail(widgets) {
  ({ grid, detail } = widgets);
}

export function isDetailOpen() {
  return detail.open;
}

// Shows row r of the page; focusPanel false: keep the layout (following focus).
export function openDetail(r, focusPanel = true) {
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
    masked: (col) => maskedCellHtml(resp.rows[r], col),
  });
  $('grid-wrap').querySelectorAll('tr.is-detail').forEach((tr) => tr.classList.remove('is-detail'));
  const tr = $('grid').tBodies[0] && $('grid').tBodies[0].rows[r];
  if (tr) tr.classList.add('is-detail');
  if (!wasOpen && focusPanel) grid.layoutPins();
}

// The panel's ↑/↓: moves the grid's focus, which the panel follows.
export function moveDetail(d) {
  const r = (grid.focusedRow() ?? 0) + d;
  if (store.resp && r >= 0 && r < store.resp.rows.length) grid.focusCell(r, grid.focus.c);
}

// Returns true when the panel was open.
export function closeDetail() {
  if (!detail.hide()) return false;
  if (store.view && store.view.detail) { // opened by a key link: the URL forgets it
    store.view = { ...store.view, detail: false };
    replaceHash(st.tableHash(store.table, store.view));
  }
  $('grid-wrap').querySelectorAll('tr.is-detail').forEach((tr) => tr.classList.remove('is-detail'));
  grid.enter();
  return true;
}

export async function copyCell(r, col) {
  const v = store.resp && store.resp.rows[r] ? store.resp.rows[r][col.name] : undefined;
  const ok = await writeClipboard(copyText(v));
  toast(ok ? `Copied ${v === null ? 'NULL (as an empty value)' : col.display_name}` : 'Copy failed: the browser refused clipboard access');
}
