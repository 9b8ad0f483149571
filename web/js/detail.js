// The row detail panel: every column of one row, whole values, pretty JSON.
// Non-modal: it sits beside the grid and follows the focused row while open.

import { detailHtml, esc, formatInt, typeLabel } from './format.js';
import { keyDetailHtml, loadReferencedCounts, referencedByHtml } from './relations.js';

export class DetailPanel {
  // handlers: onClose(), onMove(delta), onReveal(colName) (a masked value)
  constructor(el, handlers) {
    this.el = el;
    this.h = handlers;
    this.open = false;
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-act]');
      if (!b) return;
      if (b.dataset.act === 'close') this.h.onClose();
      else if (b.dataset.act === 'prev') this.h.onMove(-1);
      else if (b.dataset.act === 'next') this.h.onMove(1);
      else if (b.dataset.act === 'reveal' && this.h.onReveal) this.h.onReveal(b.dataset.col);
    });
  }

  // {row, columns: all columns in schema order, hidden: Set, rowNumber, total, exact, hasPrev, hasNext,
  //  masked(col) -> masked HTML or null}
  show(d) {
    const rows = d.columns.map((col) => `
      <div class="dl-row${d.hidden.has(col.name) ? ' is-hidden' : ''}" data-col="${esc(col.name)}">
        <dt><span class="dl-name">${esc(col.display_name)}</span>
          <span class="pm-type">${esc(typeLabel(col))}${d.hidden.has(col.name) ? ' · hidden in grid' : ''}</span></dt>
        <dd>${this.valueHtml(d, col)}${keyDetailHtml(d.row, col)}</dd>
      </div>`).join('');
    const of = d.total === null || d.total === undefined ? '' : ` of ${d.exact ? '' : 'about '}${formatInt(d.total)}`;
    this.el.innerHTML = `
      <div class="detail-head">
        <h2 id="detail-title">Row ${formatInt(d.rowNumber)}<span class="muted">${of}</span></h2>
        <div class="detail-nav">
          <button type="button" class="btn btn-icon" data-act="prev" aria-label="Previous row"${d.hasPrev ? '' : ' disabled'}>↑</button>
          <button type="button" class="btn btn-icon" data-act="next" aria-label="Next row"${d.hasNext ? '' : ' disabled'}>↓</button>
          <button type="button" class="btn btn-icon" data-act="close" aria-label="Close row details (Esc)">✕</button>
        </div>
      </div>
      <dl class="detail-list">${referencedByHtml(d.row)}${rows}</dl>`;
    this.el.hidden = false;
    this.open = true;
    loadReferencedCounts(this.el, d.row);
  }

  valueHtml(d, col) {
    const m = d.masked ? d.masked(col) : null;
    if (!m) return detailHtml(d.row[col.name], col);
    return `${m} <button type="button" class="btn-link" data-act="reveal" data-col="${esc(col.name)}">Reveal</button>`;
  }

  // Returns true when it was open.
  hide() {
    if (!this.open) return false;
    this.open = false;
    this.el.hidden = true;
    this.el.innerHTML = '';
    return true;
  }
}
