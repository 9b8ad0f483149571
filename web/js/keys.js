// Keyboard shortcuts outside the grid (grid.js handles its own cells): Esc
// closes or clears one thing at a time, / focuses the search, PgUp/PgDn and
// Home/End page through the table. Ignored while typing in a field.

import { store, hasFilters } from './store.js';
import { goPage } from './view.js';
import { closeDetail } from './rowdetail.js';
import { clearSearchNow } from './search.js';
import { clearFilters } from './columns.js';
import { closeOverlaySidebar, renderTableList } from './sidebar.js';

const $ = (id) => document.getElementById(id);
const PAGE_KEYS = { PageDown: 'next', PageUp: 'prev', Home: 'first', End: 'last' };

function isEditable(el) {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

// Esc, innermost first: menu, overlay sidebar, row detail, the search box
// being typed in, the table filter box, then all filters of the view.
function onEscape(e, popover) {
  const t = e.target;
  if (popover.close()) { e.preventDefault(); return; }
  if (closeOverlaySidebar()) { e.preventDefault(); return; }
  if (closeDetail()) { e.preventDefault(); return; }
  if (t && t.id === 'search' && t.value) {
    e.preventDefault();
    clearSearchNow();
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
}

// widgets: {popover: Popover}
export function initKeys({ popover }) {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented) return;
    const t = e.target;
    if (e.key === 'Escape') {
      onEscape(e, popover);
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
    if (PAGE_KEYS[e.key]) {
      e.preventDefault();
      goPage(PAGE_KEYS[e.key]);
    }
  });
}
