// Banners: #global-banner (the table list) and #banner (the table view), each
// a title, the server's own message and action buttons whose data-act app.js
// handles. tableErrorBanner() decides what a failed rows load shows.

import { esc } from './format.js';

const RETRY = '<button type="button" class="btn" data-act="retry">Retry</button>';

export function showBanner(el, title, message, actions) {
  el.innerHTML = `<div class="banner-text"><strong class="banner-title">${esc(title)}</strong>
    <span class="banner-msg">${esc(message)}</span></div>
    <div class="banner-actions">${actions.join('')}</div>`;
  el.hidden = false;
}

// Hides the table view's banner.
export function hideBanner() {
  const el = document.getElementById('banner');
  el.hidden = true;
  el.innerHTML = '';
}

// What to show for err (an ApiError) from a rows load of a view that is
// filtered and/or sorted: {title, message, actions (HTML), clearRows (the old
// rows no longer apply), live (indicator state to set, or null), checkMode
// (ask /api/status for its mode now: setup mode is one cause of a 503)}.
export function tableErrorBanner(err, { filtered, sorted }) {
  const b = { title: 'Could not load rows', message: err.message, actions: [RETRY], clearRows: false, live: null, checkMode: false };
  if (err.kind === 'network') {
    b.title = 'The SeeKi server is unreachable';
    b.live = 'offline';
  } else if (err.kind === 'timeout') {
    b.title = 'The server did not answer';
  } else if (err.status === 503) {
    const tunnel = /tunnel/i.test(err.message);
    b.title = tunnel ? 'SSH tunnel reconnecting' : 'Database unavailable';
    b.checkMode = true;
    b.live = tunnel ? 'reconnecting' : 'down';
  } else if (err.status === 404) {
    b.title = 'This table is not available';
    b.actions = ['<a class="btn" href="#/">Back to tables</a>', '<button type="button" class="btn" data-act="reload-tables">Reload table list</button>'];
    b.clearRows = true;
  } else if (err.status === 400) {
    b.title = 'The server refused this view';
    b.actions = [];
    if (filtered) b.actions.push('<button type="button" class="btn" data-act="clear-filters">Clear filters</button>');
    if (sorted) b.actions.push('<button type="button" class="btn" data-act="clear-sort">Clear sort</button>');
    b.clearRows = true;
  } else if (err.status === 403) {
    b.title = 'No permission to read this table';
    b.clearRows = true;
  } else if (err.status === 504) {
    b.title = 'The query took too long';
  } else if (err.status >= 500) {
    b.title = 'The server failed';
    if (err.message === 'Internal server error') b.message += ' — the SeeKi log has the details.';
  }
  return b;
}
