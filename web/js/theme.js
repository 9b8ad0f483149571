// The theme button. theme-init.js sets data-theme before first paint; from
// then on this module owns it: the button switches and stores the choice
// (state.js), and while nothing is stored the system setting is followed.

import * as st from './state.js';

const $ = (id) => document.getElementById(id);
const darkMq = window.matchMedia('(prefers-color-scheme: dark)');

function effectiveTheme() {
  return document.documentElement.dataset.theme;
}

export function renderThemeButton() {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  $('theme-toggle').setAttribute('aria-label', `Switch to ${next} theme`);
  $('theme-toggle').title = `Switch to ${next} theme`;
}

export function initTheme() {
  $('theme-toggle').addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    st.saveTheme(next);
    renderThemeButton();
  });
  darkMq.addEventListener('change', () => {
    if (!st.loadTheme()) document.documentElement.dataset.theme = darkMq.matches ? 'dark' : 'light';
    renderThemeButton();
  });
}
