// Branding from /api/config/display: title, subtitle and the square mark
// (the title's first letter) in the top bar, and the title in document.title.

import { api } from './api.js';
import * as st from './state.js';
import { store, tableInfo } from './store.js';
import { setTitle } from './router.js';

const $ = (id) => document.getElementById(id);

export async function loadBranding() {
  try {
    const d = await api.display({ timeoutMs: 10000 });
    const b = d.branding || {};
    store.branding = { title: b.title || 'SeeKi', subtitle: b.subtitle || '' };
  } catch {
    /* keep the defaults; the status indicator reports reachability */
  }
  $('brand-title').textContent = store.branding.title;
  $('brand-subtitle').textContent = store.branding.subtitle;
  $('brand-subtitle').hidden = !store.branding.subtitle;
  $('brand-mark').textContent = (Array.from(store.branding.title.trim())[0] || 'S').toUpperCase();
  const r = st.parseHash(location.hash);
  if (r.name === 'table') setTitle((tableInfo(r.table) || { display_name: r.table }).display_name);
  else setTitle(r.name === 'setup' ? 'Setup' : null);
}
