// The router: the URL hash (#/, #/setup, #/t/<table>?…, parsed by state.js)
// decides which view shows. It owns the history entries and store.lastHash;
// the views themselves are handlers given to initRouter, so nothing here
// loads or renders data.

import * as st from './state.js';
import { store } from './store.js';

const $ = (id) => document.getElementById(id);

// handlers: openTable(route), leaveTable(), renderHome(), renderTableList(),
//           closePopover()
let h = null;

export function initRouter(handlers) {
  h = handlers;
  window.addEventListener('popstate', () => handleRoute());
  window.addEventListener('hashchange', () => handleRoute());
}

export function showView(name) {
  for (const v of ['home', 'setup', 'table']) $(`view-${v}`).hidden = v !== name;
  document.body.dataset.view = name;
}

export function setTitle(part) {
  document.title = part ? `${part} — ${store.branding.title}` : store.branding.title;
}

export function navigate(hash, replace = false) {
  if (hash !== location.hash) history[replace ? 'replaceState' : 'pushState'](null, '', hash);
  handleRoute(true);
}

// Changes the current table view; pushes a history entry unless replace.
export function navigateView(patch, replace = false) {
  const view = { ...store.view, ...patch };
  navigate(st.tableHash(store.table, view), replace);
}

// Rewrites the current history entry without routing (the view already
// shows what hash says, e.g. the canonical form of a link).
export function replaceHash(hash) {
  history.replaceState(null, '', hash);
  store.lastHash = location.hash;
}

// Shows the view of location.hash; force: even when it did not change. In
// setup mode (store.status.mode) every route becomes #/setup.
export function handleRoute(force = false) {
  if (!force && location.hash === store.lastHash) return;
  store.lastHash = location.hash;
  const r = st.parseHash(location.hash);
  if (store.status && store.status.mode === 'setup' && r.name !== 'setup') {
    replaceHash('#/setup');
    showSetup();
    return;
  }
  h.closePopover();
  if (r.name === 'setup') showSetup();
  else if (r.name === 'table') h.openTable(r);
  else showHome();
  h.renderTableList();
}

function showSetup() {
  h.leaveTable();
  showView('setup');
  $('setup-normal').hidden = !(store.status && store.status.mode === 'normal');
  setTitle('Setup');
}

function showHome() {
  h.leaveTable();
  showView('home');
  setTitle(null);
  h.renderHome();
}
