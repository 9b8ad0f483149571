// The data grid: one <table role="grid"> rendered from a model as a single
// escaped HTML string (fast for 1000 rows x many columns), a roving focus
// cell (r = -1 is the header row), sticky header and pinned columns, and
// keyboard movement. It never fetches: user intents go to the handlers.

import { cellParts, esc, isNumericType, typeLabel } from './format.js';

const SKELETON_ROWS = 8;

export class Grid {
  // handlers: onSort(col, additive), onMenu(col, anchorEl), onDetail(rowIndex),
  //           onCopy(rowIndex, col), onFocusRow(rowIndex),
  //           maskedHtml(row, col) -> HTML of a masked cell or null, onReveal(rowIndex, col)
  //           cell(parts, row, col) -> parts (optional: decorates a cell, e.g. key links)
  constructor(table, scroller, handlers) {
    this.table = table;
    this.scroller = scroller;
    this.h = handlers;
    this.columns = [];
    this.rows = [];
    this.sort = [];
    this.pinned = 0;
    this.focus = { r: 0, c: 0 };
    // Pinned-column offsets go into a constructed stylesheet (CSSOM): the
    // Content-Security-Policy (default-src 'self') refuses inline <style>.
    this.pinSheet = new CSSStyleSheet();
    this.pinCss = '';
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.pinSheet];
    table.addEventListener('click', (e) => this.onClick(e));
    table.addEventListener('keydown', (e) => this.onKey(e));
    table.addEventListener('focusin', (e) => this.onFocusIn(e));
  }

  // model: {columns, pinnedCount, sort:[{col,dir}], rows, firstRowNumber, totalRows}
  setModel(m) {
    const hadFocus = this.table.contains(document.activeElement);
    this.columns = m.columns;
    this.rows = m.rows;
    this.sort = m.sort;
    this.pinned = m.pinnedCount;
    this.first = m.firstRowNumber;
    this.table.setAttribute('aria-rowcount', String((m.totalRows ?? m.rows.length) + 1));
    this.table.setAttribute('aria-colcount', String(m.columns.length + 1));
    this.table.removeAttribute('aria-busy');
    this.table.innerHTML = this.headHtml() + this.bodyHtml();
    this.layoutPins();
    this.clampFocus();
    this.applyTabStop(hadFocus);
  }

  skeleton(columns, pinnedCount) {
    this.columns = columns;
    this.rows = [];
    this.pinned = pinnedCount;
    let body = '<tbody class="skeleton" aria-hidden="true">';
    for (let i = 0; i < SKELETON_ROWS; i++) {
      body += '<tr><th class="rownum"><span class="skel"></span></th>';
      for (let c = 0; c < Math.max(columns.length, 4); c++) {
        body += `<td class="${c < pinnedCount ? `pin pin-${c}` : ''}"><span class="skel" data-w="${40 + ((i * 7 + c * 13) % 50)}"></span></td>`;
      }
      body += '</tr>';
    }
    this.table.setAttribute('aria-busy', 'true');
    this.table.innerHTML = (columns.length ? this.headHtml() : '') + body + '</tbody>';
    // Widths through CSSOM, not style="" in the HTML (which the CSP refuses).
    for (const el of this.table.querySelectorAll('.skel[data-w]')) el.style.width = `${el.dataset.w}%`;
    this.layoutPins();
  }

  headHtml() {
    const order = new Map(this.sort.map((s, i) => [s.col, { dir: s.dir, n: i + 1 }]));
    const multi = this.sort.length > 1;
    let h = '<thead><tr role="row" aria-rowindex="1"><th class="rownum" role="columnheader" aria-label="Row number"><span aria-hidden="true">#</span></th>';
    this.columns.forEach((col, c) => {
      const s = order.get(col.name);
      const sortable = col.sortable !== false;
      const ariaSort = s ? (s.dir === 'asc' ? 'ascending' : 'descending') : 'none';
      const cls = ['col'];
      if (c < this.pinned) cls.push('pin', `pin-${c}`);
      if (c === this.pinned - 1) cls.push('pin-last');
      if (isNumericType(col.display_type)) cls.push('num');
      if (s) cls.push('sorted');
      const ind = s
        ? `<span class="sort-ind" aria-hidden="true">${s.dir === 'asc' ? '▲' : '▼'}${multi ? `<sup class="sort-n">${s.n}</sup>` : ''}</span>`
        : '';
      if (!sortable) cls.push('nosort');
      const how = sortable ? 'Click to sort, Shift+click to add a sort, Alt+↓ for the menu'
        : 'This type has no order, so it cannot be sorted; Alt+↓ for the menu';
      const tip = `${col.display_name} (${col.name}) · ${typeLabel(col)}${col.is_primary_key ? ' · primary key' : ''}\n${how}`;
      h += `<th role="columnheader" scope="col" tabindex="-1" data-c="${c}" data-col="${esc(col.name)}"${sortable ? ` aria-sort="${ariaSort}"` : ''} class="${cls.join(' ')}" title="${esc(tip)}">`
        + `<div class="th-in"><span class="th-label">${esc(col.display_name)}</span>${ind}`
        + `<button type="button" class="th-menu" tabindex="-1" aria-haspopup="dialog" aria-label="Column menu: ${esc(col.display_name)}">▾</button></div></th>`;
    });
    return h + '</tr></thead>';
  }

  bodyHtml() {
    const cols = this.columns;
    const n = cols.length;
    const pre = cols.map((col, c) => {
      let k = '';
      if (c < this.pinned) k += ` pin pin-${c}`;
      if (c === this.pinned - 1) k += ' pin-last';
      return k;
    });
    const parts = ['<tbody>'];
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      const num = this.first + r;
      let tr = `<tr role="row" aria-rowindex="${num + 1}" data-r="${r}"><th class="rownum" role="rowheader">${num}</th>`;
      for (let c = 0; c < n; c++) {
        const mask = cols[c].sensitive && this.h.maskedHtml ? this.h.maskedHtml(row, cols[c]) : null;
        if (mask) {
          tr += `<td role="gridcell" tabindex="-1" data-c="${c}" data-masked="1" class="c-masked${pre[c]}" title="Sensitive: click to reveal">${mask}</td>`;
          continue;
        }
        const p0 = cellParts(row[cols[c].name], cols[c]);
        const p = this.h.cell ? this.h.cell(p0, row, cols[c]) : p0;
        tr += `<td role="gridcell" tabindex="-1" data-c="${c}" class="${p.cls}${pre[c]}"${p.title ? ` title="${esc(p.title)}"` : ''}>${p.html}</td>`;
      }
      parts.push(tr + '</tr>');
    }
    parts.push('</tbody>');
    return parts.join('');
  }

  // Sticky offsets for pinned columns, measured after layout.
  layoutPins() {
    const headRow = this.table.tHead && this.table.tHead.rows[0];
    let css = '';
    let left = 0;
    const gutter = this.table.querySelector('.rownum');
    if (gutter) left = gutter.offsetWidth;
    if (headRow) {
      for (let c = 0; c < this.pinned; c++) {
        const th = headRow.cells[c + 1];
        if (!th) break;
        css += `#grid .pin-${c}{left:${left}px}`;
        left += th.offsetWidth;
      }
    }
    // Write only what changed: each write invalidates the layout of 1000s of cells.
    if (this.pinCss !== css) {
      this.pinSheet.replaceSync(css);
      this.pinCss = css;
    }
    const headH = headRow ? headRow.offsetHeight : 0;
    const padTop = `${headH}px`;
    const padLeft = `${left}px`;
    if (this.scroller.style.scrollPaddingTop !== padTop) this.scroller.style.scrollPaddingTop = padTop;
    if (this.scroller.style.scrollPaddingLeft !== padLeft) this.scroller.style.scrollPaddingLeft = padLeft;
  }

  clampFocus() {
    const maxR = this.rows.length - 1;
    if (this.focus.r > maxR) this.focus.r = maxR;
    if (this.focus.r < -1) this.focus.r = -1;
    if (this.focus.c >= this.columns.length) this.focus.c = this.columns.length - 1;
    if (this.focus.c < 0) this.focus.c = 0;
  }

  cellAt(r, c) {
    if (!this.columns.length) return null;
    if (r < 0) {
      const head = this.table.tHead;
      return head ? head.rows[0].cells[c + 1] : null;
    }
    const body = this.table.tBodies[0];
    const tr = body && body.rows[r];
    return tr ? tr.cells[c + 1] : null;
  }

  // Keeps exactly one cell in the tab order (roving tabindex).
  applyTabStop(moveFocus) {
    const old = this.table.querySelector('[tabindex="0"]');
    if (old) old.setAttribute('tabindex', '-1');
    const cell = this.cellAt(this.focus.r, this.focus.c) || this.cellAt(-1, this.focus.c);
    if (!cell) return;
    cell.setAttribute('tabindex', '0');
    if (moveFocus) {
      cell.focus({ preventScroll: true });
      cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
  }

  focusCell(r, c, moveFocus = true) {
    this.focus = { r, c };
    this.clampFocus();
    this.applyTabStop(moveFocus);
    if (this.focus.r >= 0 && this.h.onFocusRow) this.h.onFocusRow(this.focus.r);
  }

  // Focus the grid at its remembered cell (or the first cell).
  enter() {
    this.focusCell(this.rows.length ? Math.max(this.focus.r, 0) : -1, this.focus.c);
  }

  focusedColumn() {
    return this.columns[this.focus.c] || null;
  }

  focusedRow() {
    return this.focus.r >= 0 ? this.focus.r : null;
  }

  headerCell(colName) {
    const c = this.columns.findIndex((col) => col.name === colName);
    return c < 0 ? null : this.cellAt(-1, c);
  }

  posOf(el) {
    const cell = el.closest('td[data-c], th[data-c]');
    if (!cell || !this.table.contains(cell)) return null;
    const c = Number(cell.dataset.c);
    const tr = cell.parentElement;
    const r = tr.parentElement.tagName === 'THEAD' ? -1 : Number(tr.dataset.r);
    return { r, c, cell };
  }

  onFocusIn(e) {
    const p = this.posOf(e.target);
    if (!p) return;
    if (p.r !== this.focus.r || p.c !== this.focus.c) {
      this.focus = { r: p.r, c: p.c };
      this.applyTabStop(false);
      if (p.r >= 0 && this.h.onFocusRow) this.h.onFocusRow(p.r);
    }
  }

  onClick(e) {
    const p = this.posOf(e.target);
    if (!p) return;
    const col = this.columns[p.c];
    if (p.r === -1) {
      this.focusCell(-1, p.c);
      if (e.target.closest('.th-menu')) {
        this.h.onMenu(col, p.cell);
      } else if (col.sortable !== false) {
        this.h.onSort(col, e.shiftKey);
      }
      return;
    }
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed && p.cell.contains(sel.anchorNode)) return; // selecting text
    if (e.target.closest('a[href]')) return; // a key link: the browser follows it
    this.focusCell(p.r, p.c);
    if (p.cell.dataset.masked && this.h.onReveal) this.h.onReveal(p.r, col);
    else this.h.onDetail(p.r);
  }

  onKey(e) {
    const p = this.posOf(e.target);
    if (!p) return;
    const { r, c } = p;
    const lastR = this.rows.length - 1;
    const lastC = this.columns.length - 1;
    const col = this.columns[c];
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        if (e.altKey) this.h.onMenu(col, this.cellAt(-1, c));
        else this.focusCell(Math.min(r + 1, lastR), c);
        break;
      case 'ArrowUp':
        this.focusCell(Math.max(r - 1, -1), c);
        break;
      case 'ArrowLeft':
        this.focusCell(r, Math.max(c - 1, 0));
        break;
      case 'ArrowRight':
        this.focusCell(r, Math.min(c + 1, lastC));
        break;
      case 'Enter':
      case ' ':
        if (r === -1) { if (col.sortable !== false) this.h.onSort(col, e.shiftKey); }
        else if (e.key === 'Enter') this.h.onDetail(r);
        else handled = false;
        break;
      case 'c':
      case 'C':
        if ((e.ctrlKey || e.metaKey) && !e.altKey && r >= 0) {
          const sel = window.getSelection();
          if (sel && !sel.isCollapsed) { handled = false; break; } // copy the selection instead
          this.h.onCopy(r, col);
        } else {
          handled = false;
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}
