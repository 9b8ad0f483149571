// Sort, filters and columns of the table view: header clicks (sortBy), the
// column menu (sort, filter with a live match count, pin, hide), the column
// chooser behind the Columns button, and the filter bar's chip actions.
// Sort and filters change the URL (router.js); pins and hidden columns are
// prefs (store.prefs, localStorage) and re-render without a fetch.

import { api, viewParams } from './api.js';
import { columnMenu, columnChooser } from './menu.js';
import { store, savePrefs, visibleColumns } from './store.js';
import { navigateView } from './router.js';
import { rerenderColumns } from './view.js';

const $ = (id) => document.getElementById(id);

let grid = null;
let popover = null;

// widgets: {grid: Grid, popover: Popover}. Wires the Columns button.
export function initColumns(widgets) {
  ({ grid, popover } = widgets);
  $('columns-btn').addEventListener('click', (e) => openChooser(e.currentTarget));
}

// A header click: asc → desc → none; additive (Shift) adds or cycles one key.
export function sortBy(colName, additive) {
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

// Sets the sort and remembers it for the table (a bare link restores it).
export function setSort(sort) {
  store.prefs.sort = sort;
  savePrefs();
  navigateView({ sort, page: 1 });
}

export function clearSort() {
  setSort([]);
}

export function removeFilter(colName) {
  const filters = { ...store.view.filters };
  delete filters[colName];
  navigateView({ filters, page: 1 });
}

// Clears the search and every column filter.
export function clearFilters() {
  $('search').value = '';
  navigateView({ search: '', filters: {}, page: 1 });
}

// The column menu of col under anchor (a header cell, its ▾ or a filter chip).
export function openColumnMenu(col, anchor) {
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
      const r = await api.count(store.table, viewParams(view), { signal });
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

// A filter chip: its column's menu, or nothing when the column is unknown.
export function editFilter(colName, anchor) {
  const col = store.columns && store.columns.find((c) => c.name === colName);
  if (col) openColumnMenu(col, anchor);
}

// The Columns button toggles the chooser; it is rebuilt after every change.
function openChooser(btn) {
  if (!store.columns) return;
  if (popover.isOpen() && popover.anchor === btn) {
    popover.close();
    return;
  }
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
}
