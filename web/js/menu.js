// Popovers: the column menu (sort, filter with a live match count, pin, hide)
// and the column chooser. One popover is open at a time; it closes on Esc
// (the app calls close()), on a click outside, or after an action.

import { ApiError } from './api.js';
import { esc, filterHelp, filterPlaceholder, formatInt, typeLabel } from './format.js';
import { maskGroupHtml, mountStats } from './stats.js';

export class Popover {
  constructor() {
    this.el = null;
    this.anchor = null;
    this.returnFocus = null;
    this.onClose = null;
    document.addEventListener('mousedown', (e) => {
      if (this.el && !this.el.contains(e.target) && !(this.anchor && this.anchor.contains(e.target))) this.close(false);
    }, true);
    window.addEventListener('resize', () => this.close(false));
  }

  isOpen() {
    return !!this.el;
  }

  // Shows el under anchor; focus moves to `focusEl` (or the first control).
  open(el, anchor, { returnFocus, onClose, focusEl } = {}) {
    this.close(false);
    this.el = el;
    this.anchor = anchor;
    this.returnFocus = returnFocus || anchor;
    this.onClose = onClose || null;
    el.classList.add('popover');
    document.body.appendChild(el);
    const r = anchor.getBoundingClientRect();
    const w = el.offsetWidth;
    const hgt = el.offsetHeight;
    let left = Math.min(r.left, window.innerWidth - w - 8);
    left = Math.max(8, left);
    let top = r.bottom + 4;
    if (top + hgt > window.innerHeight - 8 && r.top - hgt - 4 > 8) top = r.top - hgt - 4;
    el.style.left = `${left}px`;
    el.style.top = `${Math.max(8, top)}px`;
    const f = focusEl || el.querySelector('input, button, select, [tabindex="0"]');
    if (f) f.focus();
  }

  // Returns true when something was open. restore: give focus back.
  close(restore = true) {
    if (!this.el) return false;
    const el = this.el;
    const back = this.returnFocus;
    const cb = this.onClose;
    this.el = null;
    this.anchor = null;
    this.onClose = null;
    el.remove();
    if (el.cleanup) el.cleanup();
    if (cb) cb();
    if (restore && back && document.contains(back)) back.focus();
    return true;
  }
}

let menuSeq = 0;

// ctx: {sortDir: 'asc'|'desc'|null, sortIndex, filter: string, pinned: bool,
//       onSort(dir|null), onFilter(expr), count(expr, signal) -> Promise<{total, exact}>,
//       onPin(bool), onHide(), canHide: bool, onReveal(bool) (sensitive columns),
//       onPick(expr) (a statistics top value; stats.js)}
export function columnMenu(col, ctx) {
  const id = `colmenu-${++menuSeq}`;
  const el = document.createElement('div');
  el.className = 'colmenu';
  el.setAttribute('role', 'dialog');
  el.setAttribute('aria-label', `Column ${col.display_name}`);
  el.dataset.column = col.name;
  el.innerHTML = `
    <div class="pm-head"><strong>${esc(col.display_name)}</strong>
      <span class="pm-type">${esc(col.name)} · ${esc(typeLabel(col))}</span></div>
    ${col.sortable === false
      ? '<div class="pm-group pm-note" role="note">This type has no order, so it cannot be sorted.</div>'
      : `<div class="pm-group" role="group" aria-label="Sort">
      <button type="button" class="pm-item" data-act="asc"${ctx.sortDir === 'asc' ? ' aria-pressed="true"' : ''}><span class="pm-ic" aria-hidden="true">▲</span>Sort ascending</button>
      <button type="button" class="pm-item" data-act="desc"${ctx.sortDir === 'desc' ? ' aria-pressed="true"' : ''}><span class="pm-ic" aria-hidden="true">▼</span>Sort descending</button>
      ${ctx.sortDir ? '<button type="button" class="pm-item" data-act="nosort"><span class="pm-ic" aria-hidden="true">✕</span>Remove this sort</button>' : ''}
    </div>`}
    <form class="pm-filter" novalidate>
      <label for="${id}-f">Filter</label>
      <div class="pm-row">
        <input id="${id}-f" class="pm-input" type="text" autocomplete="off" spellcheck="false"
          placeholder="${esc(filterPlaceholder(col))}" value="${esc(ctx.filter || '')}"
          aria-describedby="${id}-c ${id}-e ${id}-h">
        <button type="submit" class="btn btn-primary btn-sm">Apply</button>
      </div>
      <div id="${id}-h" class="pm-help">${esc(filterHelp(col))}</div>
      <div id="${id}-c" class="pm-count" aria-live="polite"></div>
      <div id="${id}-e" class="pm-error" role="alert"></div>
      ${ctx.filter ? '<button type="button" class="pm-item pm-clear" data-act="clearfilter"><span class="pm-ic" aria-hidden="true">✕</span>Clear filter</button>' : ''}
    </form>
    <div class="pm-group" role="group" aria-label="Column">
      <button type="button" class="pm-item" data-act="pin"><span class="pm-ic" aria-hidden="true">⇤</span>${ctx.pinned ? 'Unpin column' : 'Pin to left'}</button>
      <button type="button" class="pm-item" data-act="hide"${ctx.canHide ? '' : ' disabled'}><span class="pm-ic" aria-hidden="true">⊘</span>Hide column</button>
    </div>
    ${maskGroupHtml(col)}
    <div class="pm-stats"></div>`;

  const input = el.querySelector('.pm-input');
  const countEl = el.querySelector('.pm-count');
  const errEl = el.querySelector('.pm-error');
  let timer = 0;
  let ctrl = null;

  const update = () => {
    clearTimeout(timer);
    if (ctrl) ctrl.abort();
    const expr = input.value.trim();
    errEl.textContent = '';
    input.removeAttribute('aria-invalid');
    countEl.textContent = expr ? 'Counting…' : '';
    if (!expr) return;
    timer = setTimeout(async () => {
      ctrl = new AbortController();
      const mine = ctrl;
      try {
        const { total, exact } = await ctx.count(expr, mine.signal);
        if (mine.signal.aborted) return;
        countEl.textContent = total === null || total === undefined ? 'Matches some rows'
          : `${exact ? '' : 'about '}${formatInt(total)} ${Number(total) === 1 ? 'row matches' : 'rows match'}`;
      } catch (e) {
        if (mine.signal.aborted || (e && e.name === 'AbortError')) return;
        countEl.textContent = '';
        errEl.textContent = e instanceof ApiError ? e.message : String(e);
        if (e instanceof ApiError && e.status === 400) input.setAttribute('aria-invalid', 'true');
      }
    }, 250);
  };
  input.addEventListener('input', update);
  if (ctx.filter) update();

  el.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.getAttribute('aria-invalid') === 'true') {
      input.focus();
      return;
    }
    ctx.onFilter(input.value.trim());
  });
  el.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-act]');
    if (!b) return;
    const act = b.dataset.act;
    if (act === 'asc' || act === 'desc') ctx.onSort(act);
    else if (act === 'nosort') ctx.onSort(null);
    else if (act === 'clearfilter') ctx.onFilter('');
    else if (act === 'pin') ctx.onPin(!ctx.pinned);
    else if (act === 'hide') ctx.onHide();
    else if (act === 'reveal' || act === 'mask') ctx.onReveal(act === 'reveal');
  });
  const stopStats = mountStats(el.querySelector('.pm-stats'), col, (expr) => ctx.onFilter(expr));
  el.cleanup = () => {
    clearTimeout(timer);
    if (ctrl) ctrl.abort();
    stopStats();
  };
  return { el, input };
}

// ctx: {columns: [col], hidden: Set, onToggle(colName, visible), onShowAll()}
export function columnChooser(ctx) {
  const el = document.createElement('div');
  el.className = 'chooser';
  el.setAttribute('role', 'dialog');
  el.setAttribute('aria-label', 'Choose columns');
  const hiddenCount = ctx.columns.filter((c) => ctx.hidden.has(c.name)).length;
  let list = '';
  ctx.columns.forEach((col, i) => {
    const id = `chooser-${menuSeq}-${i}`;
    list += `<li><input type="checkbox" id="${id}" data-col="${esc(col.name)}"${ctx.hidden.has(col.name) ? '' : ' checked'}>
      <label for="${id}">${esc(col.display_name)} <span class="pm-type">${esc(col.display_type)}</span></label></li>`;
  });
  menuSeq++;
  el.innerHTML = `
    <div class="pm-head"><strong>Columns</strong>
      <span class="pm-type">${hiddenCount ? `${hiddenCount} hidden` : 'all shown'}</span></div>
    <ul class="chooser-list">${list}</ul>
    <div class="pm-foot"><button type="button" class="btn btn-sm" data-act="all"${hiddenCount ? '' : ' disabled'}>Show all columns</button></div>`;
  el.addEventListener('change', (e) => {
    const cb = e.target.closest('input[type=checkbox]');
    if (cb) ctx.onToggle(cb.dataset.col, cb.checked);
  });
  el.querySelector('[data-act=all]').addEventListener('click', () => ctx.onShowAll());
  return el;
}
