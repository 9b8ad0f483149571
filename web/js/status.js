// The live indicator: polls /api/status every 5 s and shows live, offline,
// database unreachable, reconnecting (SSH tunnel) or setup mode. Setup mode is
// the answer's mode field, never an error text; it sends the UI to #/setup.
// Coming back from an outage reloads what failed (handlers of initStatus).

import { api } from './api.js';
import * as st from './state.js';
import { store } from './store.js';
import { handleRoute } from './router.js';

const $ = (id) => document.getElementById(id);
const STATUS_EVERY_MS = 5000;

const LIVE_TEXT = {
  unknown: 'connecting', live: 'live', offline: 'offline', down: 'database unreachable',
  reconnecting: 'reconnecting', setup: 'setup mode',
};

// handlers: loadTables(), loadRows(): reload after an outage
let h = null;
let timer = 0;
let busy = false;

export function initStatus(handlers) {
  h = handlers;
}

// Sets the indicator (store.live); detailText goes into its tooltip.
export function setLive(state, detailText) {
  const prev = store.live;
  store.live = state;
  const el = $('live');
  el.dataset.state = state;
  el.querySelector('.live-text').textContent = LIVE_TEXT[state] || state;
  el.title = detailText || (state === 'live' ? 'Server and database reachable; checked every 5 s' : LIVE_TEXT[state]);
  if (state === 'live' && prev !== 'live' && prev !== 'unknown') {
    // Back from an outage: reload what failed.
    if (store.tablesState === 'error') h.loadTables();
    if (store.table && store.error && !(store.error.status >= 400 && store.error.status < 500)) h.loadRows();
  }
}

// Asks /api/status now, then again every STATUS_EVERY_MS (one request at a
// time: a call while one is out does nothing).
export async function pollStatus() {
  clearTimeout(timer);
  if (busy) return;
  busy = true;
  try {
    const s = await api.status({ timeoutMs: 4000 });
    store.status = s;
    renderFoot();
    if (s.mode === 'setup') {
      enterSetup();
    } else if (s.database && s.database.connected === false) {
      setLive('down', 'The server is up but cannot reach the database');
    } else if (s.tunnel && s.tunnel.state && s.tunnel.state !== 'up') {
      setLive('reconnecting', `SSH tunnel ${s.tunnel.state}${s.tunnel.last_error ? `: ${s.tunnel.last_error}` : ''}`);
    } else {
      setLive('live');
      if (!$('view-setup').hidden) $('setup-normal').hidden = false;
    }
  } catch (e) {
    setLive('offline', e.message);
  } finally {
    busy = false;
    timer = setTimeout(pollStatus, STATUS_EVERY_MS);
  }
}

function enterSetup() {
  setLive('setup', 'No configuration yet: SeeKi runs in setup mode');
  $('global-banner').hidden = true;
  if (st.parseHash(location.hash).name !== 'setup') handleRoute(true);
}

// Asks /api/status once whether the server runs in setup mode (a data
// endpoint answered 503, which setup mode is one cause of) and if so goes to
// #/setup at once rather than at the next poll. Otherwise it leaves the live
// indicator to the caller and the regular poll; failures are the poll's too.
export async function checkMode() {
  let s;
  try {
    s = await api.status({ timeoutMs: 4000 });
  } catch {
    return;
  }
  store.status = s;
  renderFoot();
  if (s.mode === 'setup') enterSetup();
}

function renderFoot() {
  const s = store.status;
  if (!s) return;
  const parts = [`SeeKi ${s.version || ''}`.trim()];
  if (s.database && s.database.kind) parts.push(s.database.kind === 'postgres' ? 'PostgreSQL' : s.database.kind === 'sqlite' ? 'SQLite' : s.database.kind);
  if (s.tunnel && s.tunnel.bastion) parts.push(`via ${s.tunnel.bastion}`);
  $('sidebar-foot').textContent = parts.join(' · ') + ' · read-only';
}
