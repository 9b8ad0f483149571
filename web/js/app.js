// SeeKi's browser UI, wired together: creates the grid, the popover and the
// row detail panel, hands them to the modules that use them, routes the
// data-act buttons of banners, states and chips, and starts up. The state is
// in store.js; each concern has its module (docs/ui.md lists them). Talks to
// the server only through api.js (SPEC §5).

import { Grid } from './grid.js';
import { Popover } from './menu.js';
import { DetailPanel } from './detail.js';
import { store } from './store.js';
import { handleRoute, initRouter, navigate } from './router.js';
import { initStatus, pollStatus } from './status.js';
import { hideBanner } from './banner.js';
import { initTheme, renderThemeButton } from './theme.js';
import { loadBranding } from './branding.js';
import { renderHeader } from './toolbar.js';
import { initView, leaveTable, loadRows, openTable, rerenderColumns } from './view.js';
import { closeDetail, copyCell, initRowDetail, isDetailOpen, moveDetail, openDetail } from './rowdetail.js';
import { maskedCellHtml, revealCell } from './stats.js';
import { clearFilters, clearSort, editFilter, initColumns, openColumnMenu, removeFilter, sortBy } from './columns.js';
import { initSearch, removeSearch } from './search.js';
import {
  initSidebar, loadTables, renderHome, renderTableList, restoreSidebar, setTablesUnavailable,
} from './sidebar.js';
import { initKeys } from './keys.js';
import { keyCell } from './relations.js';
import { initSetup } from './setup.js';
import * as st from './state.js';

const $ = (id) => document.getElementById(id);

// A click on a masked cell (or the detail panel's Reveal) shows that value of
// page row r wherever the row is on screen (stats.js keeps what is revealed).
function revealValue(r, colName) {
  const row = store.resp && store.resp.rows[r];
  const col = store.columns && store.columns.find((c) => c.name === colName);
  if (!row || !col) return;
  revealCell(row, col);
  rerenderColumns(null);
}

const grid = new Grid($('grid'), $('grid-wrap'), {
  onSort: (col, additive) => sortBy(col.name, additive),
  onMenu: (col, anchor) => openColumnMenu(col, anchor),
  onDetail: (r) => openDetail(r),
  onCopy: (r, col) => copyCell(r, col),
  onFocusRow: (r) => { if (isDetailOpen()) openDetail(r, false); },
  maskedHtml: (row, col) => maskedCellHtml(row, col),
  onReveal: (r, col) => revealValue(r, col.name),
  cell: (p, row, col) => keyCell(p, row, col),
});
const popover = new Popover();
const detail = new DetailPanel($('detail'), {
  onClose: () => closeDetail(),
  onMove: (d) => moveDetail(d),
  onReveal: (colName) => revealValue(grid.focusedRow() ?? 0, colName),
});

// Buttons with data-act outside the popover and the detail panel (which
// handle their own): banners, the empty state and the filter bar.
const ACTIONS = {
  retry: () => { hideBanner(); loadRows(); },
  'clear-filters': () => clearFilters(),
  'clear-sort': () => clearSort(),
  'reload-tables': () => loadTables(),
  'retry-tables': () => loadTables(),
  'remove-filter': (b) => removeFilter(b.dataset.col),
  'remove-search': () => removeSearch(),
  'edit-filter': (b) => editFilter(b.dataset.col, b),
};

document.addEventListener('click', (e) => {
  const b = e.target.closest('[data-act]');
  if (!b || b.closest('.popover') || b.closest('#detail')) return;
  const act = ACTIONS[b.dataset.act];
  if (act) act(b);
});

initRowDetail({ grid, detail });
initView({ grid, detail });
initColumns({ grid, popover });
initSearch({ grid });
initSidebar({ grid });
initKeys({ popover });
// After the wizard's save: SeeKi runs in normal mode now; reload what setup
// mode left empty and open the first table's grid.
initSetup({
  onSaved: async () => {
    await pollStatus();
    await loadBranding();
    await loadTables();
    const first = store.tables[0];
    navigate(first ? st.tableHash(first.name) : '#/');
  },
});
initTheme();
initStatus({ loadTables, loadRows });
initRouter({
  openTable,
  leaveTable,
  renderHome,
  renderTableList,
  closePopover: () => popover.close(false),
});

async function start() {
  renderThemeButton();
  restoreSidebar();
  renderTableList();
  loadBranding();
  // Wait briefly for /api/status (setup mode changes the route), never long:
  // a slow or dead server must not leave the page blank.
  await Promise.race([pollStatus().catch(() => {}), new Promise((r) => setTimeout(r, 1500))]);
  if (store.status && store.status.mode === 'setup') {
    setTablesUnavailable();
    handleRoute(true);
    return;
  }
  const tablesP = loadTables();
  handleRoute(true);
  await tablesP;
  if (store.table) renderHeader();
}

start();
