// Resolves the theme before first paint (no flash of the wrong theme): the
// stored choice (seeki.theme: "light" | "dark"), else the system's. The CSS
// only looks at data-theme. A classic script on purpose: it runs
// synchronously in <head>. app.js owns the theme afterwards and follows system
// changes while nothing is stored.
var t = null;
try {
  t = localStorage.getItem('seeki.theme');
} catch (e) { /* storage disabled: follow the system theme */ }
if (t !== 'dark' && t !== 'light') {
  t = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
document.documentElement.dataset.theme = t;
