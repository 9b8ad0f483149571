// Turns API values (SPEC §4 JSON encoding) into safe HTML for grid cells and
// the row detail panel. Every string that came from the database goes through
// esc() before it reaches innerHTML; nothing here touches the DOM.

const NUMERIC_TYPES = new Set(['Number', 'Decimal', 'Currency']);
const MONO_TYPES = new Set(['UUID', 'Binary', 'Network', 'JSON', 'List']);
const CELL_TEXT_MAX = 240; // characters kept in a grid cell; the detail panel shows all

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (ch) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]));
}

export function isNumericType(displayType) {
  return NUMERIC_TYPES.has(displayType);
}

export function isTextType(displayType) {
  return displayType === 'Text';
}

let dateTimeFmt = null;
let dateFmt = null;
function fmts() {
  if (!dateTimeFmt) {
    dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  }
  return { dateTimeFmt, dateFmt };
}

// "2026-04-03 14:05:00[.123]" is a wall-clock time (shown as is, no zone
// shift); "...Z" / "+hh:mm" is an instant shown in the browser's zone.
const TS_RE = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function formatTimestamp(raw, dateOnly) {
  if (typeof raw !== 'string') return null;
  const m = TS_RE.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let date;
  if (zone) {
    date = new Date(raw.trim().replace(' ', 'T'));
  } else {
    const ms = frac ? Math.floor(Number('0.' + frac) * 1000) : 0;
    date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h || 0), Number(mi || 0), Number(s || 0), ms);
    date.setFullYear(Number(y)); // years 0..99 would otherwise map to 19xx
  }
  if (Number.isNaN(date.getTime())) return null;
  const { dateTimeFmt: dtf, dateFmt: df } = fmts();
  return (dateOnly || h === undefined) ? df.format(date) : dtf.format(date);
}

// A JSON value (object/array from a JSON or List column) in one line.
function compactJson(v) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function truncate(s) {
  return s.length > CELL_TEXT_MAX ? s.slice(0, CELL_TEXT_MAX) + '…' : s;
}

export function boolValue(v) {
  if (v === true || v === 1 || v === 't' || v === 'true') return true;
  if (v === false || v === 0 || v === 'f' || v === 'false') return false;
  return null;
}

// Returns {cls, title, html} for one cell. cls: CSS classes for the <td>;
// title: the raw value for the hover tooltip ('' = none); html: escaped content.
export function cellParts(value, col) {
  const dt = col.display_type;
  if (value === null || value === undefined) {
    return { cls: 'c-null', title: 'NULL (no value)', html: '<span class="null">NULL</span>' };
  }
  if (dt === 'Yes/No') {
    const b = boolValue(value);
    if (b === true) return { cls: 'c-bool', title: '', html: '<span class="badge yes">✓ Yes</span>' };
    if (b === false) return { cls: 'c-bool', title: '', html: '<span class="badge no">✕ No</span>' };
  }
  if (typeof value === 'object') {
    const text = compactJson(value);
    return { cls: 'c-json mono', title: '', html: esc(truncate(text)) };
  }
  const str = String(value);
  if (str === '') {
    return { cls: 'c-empty', title: 'Empty text (not NULL)', html: '<span class="empty" aria-label="empty text"></span>' };
  }
  if (NUMERIC_TYPES.has(dt)) {
    return { cls: 'c-num', title: '', html: esc(str) };
  }
  if (dt === 'Date & Time' || dt === 'Date') {
    const shown = formatTimestamp(str, dt === 'Date');
    if (shown) return { cls: 'c-date', title: str, html: esc(shown) };
    return { cls: 'c-date', title: '', html: esc(str) };
  }
  const mono = MONO_TYPES.has(dt) ? ' mono' : '';
  if (/^\s+$/.test(str)) {
    return { cls: 'c-text c-blank' + mono, title: `${str.length} space${str.length === 1 ? '' : 's'}`, html: esc(str) };
  }
  return { cls: 'c-text' + mono, title: '', html: esc(truncate(str)) };
}

// Plain text for the clipboard: what a spreadsheet should receive.
export function copyText(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return compactJson(value);
  return String(value);
}

// Full value for the row detail panel (pretty JSON, whole text).
export function detailHtml(value, col) {
  const dt = col.display_type;
  if (value === null || value === undefined) return '<span class="null">NULL</span>';
  if (dt === 'Yes/No') {
    const b = boolValue(value);
    if (b === true) return '<span class="badge yes">✓ Yes</span>';
    if (b === false) return '<span class="badge no">✕ No</span>';
  }
  if (typeof value === 'object') {
    return `<pre class="json">${esc(JSON.stringify(value, null, 2))}</pre>`;
  }
  const str = String(value);
  if (str === '') return '<span class="empty-note">empty text (not NULL)</span>';
  if (dt === 'JSON') { // a JSON string scalar
    return `<pre class="json">${esc(JSON.stringify(value))}</pre>`;
  }
  if (dt === 'Date & Time' || dt === 'Date') {
    const shown = formatTimestamp(str, dt === 'Date');
    if (shown && shown !== str) return `${esc(shown)} <span class="raw mono">${esc(str)}</span>`;
  }
  const cls = MONO_TYPES.has(dt) || NUMERIC_TYPES.has(dt) ? 'full mono' : 'full';
  return `<div class="${cls}">${esc(str)}</div>`;
}

// Placeholder for a column filter: the forms the server accepts for this type.
export function filterPlaceholder(col) {
  const dt = col.display_type;
  if (NUMERIC_TYPES.has(dt)) return '>10, 5..20, is null';
  if (dt === 'Date' || dt === 'Date & Time') return '2026-04, >=2026-01-01, is null';
  if (dt === 'Yes/No') return 'yes, no, is null';
  if (dt === 'Text') return 'contains…, =exact, is null';
  return 'contains…, is null';
}

export function filterHelp(col) {
  const dt = col.display_type;
  if (NUMERIC_TYPES.has(dt)) return 'Compare: =5, >5, >=5, <5, <=5, a range 1..10, is null, is not null';
  if (dt === 'Date' || dt === 'Date & Time') return 'A prefix (2026-04), a comparison (>=2026-01-01), is null, is not null';
  if (dt === 'Yes/No') return 'yes or no, is null, is not null';
  if (dt === 'Text') return 'Text contained (any case), =exact, = alone for empty text, is null';
  return 'Text contained, is null, is not null';
}

const compactFmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const plainFmt = new Intl.NumberFormat(undefined);

export function formatCount(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '';
  const v = Number(n);
  return v >= 10000 ? compactFmt.format(v) : plainFmt.format(v);
}

export function formatInt(n) {
  return plainFmt.format(Number(n));
}

export function typeLabel(col) {
  if (!col.data_type || col.data_type === col.display_type) return col.display_type || '';
  return `${col.display_type} · ${col.data_type}`;
}
