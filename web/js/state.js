// View state in the URL and in localStorage.
// URL (hash): #/                      home
//             #/setup                 setup-mode placeholder
//             #/t/<table>?page=2&page_size=100&sort=name:asc&sort=age:desc
//                        &search=x&filter.age=%3E5   (>5)
//                        &detail=1  (the row detail panel open on the first row)
// localStorage: seeki.theme, seeki.sidebar, seeki.table.<table> (JSON prefs).

export const DEFAULT_PAGE_SIZE = 50;
export const PAGE_SIZES = [25, 50, 100, 250, 500, 1000];

// One sort value may hold "a:asc,b:desc" (hand-written links) or a single
// column; the last ":" before asc/desc separates the direction.
export function parseSortValue(v) {
  const out = [];
  const re = /(.+?):(asc|desc)(?:,|$)/gy;
  let m;
  let last = 0;
  while ((m = re.exec(v)) !== null) {
    out.push({ col: m[1], dir: m[2] });
    last = re.lastIndex;
  }
  if (last < v.length) {
    const rest = v.slice(last);
    if (rest) out.push({ col: rest, dir: 'asc' });
  }
  return out;
}

function clampPageSize(n) {
  const v = Number.parseInt(n, 10);
  if (!Number.isFinite(v)) return null;
  return Math.min(1000, Math.max(1, v));
}

// Returns {name:'home'} | {name:'setup'} | {name:'table', table, view, bare}.
// view = {page (number or 'last'), pageSize, sort, search, filters};
// bare = the URL had no query (stored sort and page size apply).
export function parseHash(hash) {
  const h = (hash || '').replace(/^#/, '');
  if (h === '/setup') return { name: 'setup' };
  const m = /^\/t\/([^?]*)(?:\?(.*))?$/.exec(h);
  if (!m) return { name: 'home' };
  let table;
  try {
    table = decodeURIComponent(m[1]);
  } catch {
    return { name: 'home' };
  }
  if (!table) return { name: 'home' };
  const q = new URLSearchParams(m[2] || '');
  const view = { page: 1, pageSize: DEFAULT_PAGE_SIZE, sort: [], search: '', filters: {} };
  for (const [k, v] of q) {
    if (k === 'page' && v === 'last') {
      view.page = 'last';
    } else if (k === 'page') {
      const p = Number.parseInt(v, 10);
      view.page = Number.isFinite(p) && p >= 1 ? p : 1;
    } else if (k === 'page_size') {
      view.pageSize = clampPageSize(v) || DEFAULT_PAGE_SIZE;
    } else if (k === 'sort') {
      view.sort.push(...parseSortValue(v));
    } else if (k === 'search') {
      view.search = v;
    } else if (k === 'detail') {
      view.detail = v === '1';
    } else if (k.startsWith('filter.') && k.length > 7) {
      view.filters[k.slice(7)] = v;
    }
  }
  return { name: 'table', table, view, bare: !m[2] };
}

// Readable but unambiguous: encodeURIComponent, then keep : , / readable
// (browsers percent-encode < and > in a fragment anyway).
function enc(s) {
  return encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/');
}

// Values may keep "=" too (the first "=" of a pair ends the key).
function encVal(s) {
  return enc(s).replace(/%3D/gi, '=');
}

export function tableHash(table, view) {
  const parts = [];
  if (view) {
    if (view.page === 'last' || view.page > 1) parts.push(`page=${view.page}`);
    if (view.pageSize !== DEFAULT_PAGE_SIZE) parts.push(`page_size=${view.pageSize}`);
    for (const s of view.sort) parts.push(`sort=${encVal(`${s.col}:${s.dir}`)}`);
    if (view.search) parts.push(`search=${encVal(view.search)}`);
    for (const [c, e] of Object.entries(view.filters)) {
      if (e !== '') parts.push(`filter.${enc(c)}=${encVal(e)}`);
    }
    if (view.detail) parts.push('detail=1');
  }
  return `#/t/${encodeURIComponent(table)}${parts.length ? '?' + parts.join('&') : ''}`;
}

// ---- localStorage (failures, e.g. storage disabled, are ignored) ----------

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* private mode or quota: preferences just do not persist */
  }
}

export const TABLE_PREFIX = 'seeki.table.';

// {hidden:[col], pinned:[col], sort:[{col,dir}], pageSize:number|null}
export function loadPrefs(table) {
  const empty = { hidden: [], pinned: [], sort: [], pageSize: null };
  const raw = read(TABLE_PREFIX + table);
  if (!raw) return empty;
  try {
    const p = JSON.parse(raw);
    return {
      hidden: Array.isArray(p.hidden) ? p.hidden.filter((x) => typeof x === 'string') : [],
      pinned: Array.isArray(p.pinned) ? p.pinned.filter((x) => typeof x === 'string') : [],
      sort: Array.isArray(p.sort) ? p.sort.filter((s) => s && typeof s.col === 'string' && (s.dir === 'asc' || s.dir === 'desc')) : [],
      pageSize: clampPageSize(p.pageSize),
    };
  } catch {
    return empty;
  }
}

export function savePrefs(table, prefs) {
  write(TABLE_PREFIX + table, JSON.stringify(prefs));
}

export function loadTheme() {
  const t = read('seeki.theme');
  return t === 'dark' || t === 'light' ? t : null;
}

export function saveTheme(t) {
  write('seeki.theme', t);
}

export function loadSidebarCollapsed() {
  return read('seeki.sidebar') === 'collapsed';
}

export function saveSidebarCollapsed(collapsed) {
  write('seeki.sidebar', collapsed ? 'collapsed' : null);
}
