// Applies the saved or the system colour theme before the first paint (no flash of the wrong theme).
(function () {
  try {
    var t = localStorage.getItem('xqc-theme');
    var dark = t === 'dark' || (t !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    if (dark) document.documentElement.classList.add('dark');
  } catch {
    /* storage blocked: the light theme stays */
  }
})();
