// The pager below the grid: a model of where the current page sits, and its
// HTML (buttons carry data-page = first|prev|next|last|N for the app's click
// handler). Pure functions: no DOM access, no fetching.

import { formatInt } from './format.js';
import { PAGE_SIZES } from './state.js';

// Page numbers to show as chips: first, last and two either side of the
// current page; null marks a gap ("…").
export function pageWindow(page, last) {
  const out = [];
  const add = (p) => { if (p >= 1 && p <= last && !out.includes(p)) out.push(p); };
  add(1);
  for (let p = page - 2; p <= page + 2; p++) add(p);
  add(last);
  out.sort((a, b) => a - b);
  const withGaps = [];
  out.forEach((p, i) => {
    if (i && p - out[i - 1] > 1) withGaps.push(null);
    withGaps.push(p);
  });
  return withGaps;
}

// {page, size, total, last, hasNext, hasPrev} of a rows answer; last is null
// when the total is unknown. fallbackSize: the requested page size.
export function pagerModel(resp, fallbackSize) {
  const page = Number(resp.page) || 1;
  const size = Number(resp.page_size) || fallbackSize;
  const total = resp.total_rows === null || resp.total_rows === undefined ? null : Number(resp.total_rows);
  const last = total === null ? null : Math.max(1, Math.ceil(total / size));
  const hasNext = resp.next_cursor != null || (last !== null ? page < last : resp.rows.length === size);
  return { page, size, total, last, hasNext, hasPrev: page > 1 || resp.prev_cursor != null };
}

// The pager's HTML: "N–M of T rows", first/prev/page chips/next/last, page size.
export function pagerHtml(resp, m) {
  const n = resp.rows.length;
  const from = n ? (m.page - 1) * m.size + 1 : 0;
  const to = n ? from + n - 1 : 0;
  let info;
  if (m.total === null) info = n ? `${formatInt(from)}–${formatInt(to)}` : 'No rows';
  else if (!n) info = `0 of ${resp.total_rows_exact ? '' : 'about '}${formatInt(m.total)} rows`;
  else info = `${formatInt(from)}–${formatInt(to)} of ${resp.total_rows_exact ? '' : 'about '}${formatInt(m.total)} ${m.total === 1 ? 'row' : 'rows'}`;
  let chips = '';
  if (m.last !== null) {
    for (const p of pageWindow(m.page, m.last)) {
      chips += p === null ? '<span class="pg-gap" aria-hidden="true">…</span>'
        : `<button type="button" class="pg-chip" data-page="${p}"${p === m.page ? ' aria-current="page"' : ''} aria-label="Page ${p}${p === m.last && !resp.total_rows_exact ? ' (estimated last)' : ''}">${formatInt(p)}</button>`;
    }
  } else {
    chips = `<span class="pg-chip" aria-current="page">${formatInt(m.page)}</span>`;
  }
  const sizes = PAGE_SIZES.includes(m.size) ? PAGE_SIZES : [...PAGE_SIZES, m.size].sort((a, b) => a - b);
  return `
    <div class="pg-info" id="pager-info" aria-live="polite">${info}</div>
    <div class="pg-pages">
      <button type="button" class="pg-btn" data-page="first" aria-label="First page" title="First page (Home)"${m.hasPrev ? '' : ' disabled'}>«</button>
      <button type="button" class="pg-btn" data-page="prev" aria-label="Previous page" title="Previous page (PgUp)"${m.hasPrev ? '' : ' disabled'}>‹</button>
      ${chips}
      <button type="button" class="pg-btn" data-page="next" aria-label="Next page" title="Next page (PgDn)"${m.hasNext ? '' : ' disabled'}>›</button>
      <button type="button" class="pg-btn" data-page="last" aria-label="Last page" title="Last page (End)"${m.hasNext ? '' : ' disabled'}>»</button>
    </div>
    <label class="pg-size">Rows per page
      <select id="page-size">${sizes.map((s) => `<option value="${s}"${s === m.size ? ' selected' : ''}>${s}</option>`).join('')}</select>
    </label>`;
}

