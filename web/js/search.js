// The search box: typing applies the search after SEARCH_DEBOUNCE_MS (Enter
// at once), one history entry per typing burst; ↓ moves into the grid. The
// search itself is part of the URL (router.js).

import { store } from './store.js';
import { navigateView } from './router.js';

const $ = (id) => document.getElementById(id);
const SEARCH_DEBOUNCE_MS = 250;

let timer = 0;
let pushed = false; // this burst has its history entry: replace it from now on

// widgets: {grid: Grid}
export function initSearch({ grid }) {
  const search = $('search');
  search.addEventListener('focus', () => { pushed = false; });
  search.addEventListener('input', (e) => {
    clearTimeout(timer);
    const value = e.target.value;
    timer = setTimeout(() => applySearch(value), SEARCH_DEBOUNCE_MS);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(timer);
      applySearch(e.target.value);
    } else if (e.key === 'ArrowDown' && !e.altKey) {
      e.preventDefault();
      grid.enter();
    }
  });
}

function applySearch(value) {
  if (!store.table || value === store.view.search) return;
  navigateView({ search: value, page: 1 }, pushed);
  pushed = true; // one history entry per typing burst, then replaceState
}

// Esc in the search box: empty it and drop the search now (no debounce).
export function clearSearchNow() {
  $('search').value = '';
  clearTimeout(timer);
  applySearch('');
}

// The filter bar's ✕ on the search chip.
export function removeSearch() {
  $('search').value = '';
  navigateView({ search: '', page: 1 });
}
