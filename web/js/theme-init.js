// Applies the stored theme before first paint (no flash of the wrong theme).
// A classic script on purpose: it runs synchronously in <head>. app.js owns
// the theme afterwards (key seeki.theme: "light" | "dark" | absent = system).
try {
  var t = localStorage.getItem('seeki.theme');
  if (t === 'dark' || t === 'light') document.documentElement.dataset.theme = t;
} catch (e) { /* storage disabled: follow the system theme */ }
