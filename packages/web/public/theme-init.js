// Applies the saved or the system colour theme before the first paint (no flash of the wrong theme),
// and marks a stored signed-in session so index.html's static app frame shows until the app renders.
(function () {
  try {
    var t = localStorage.getItem('xqc-theme');
    var dark = t === 'dark' || (t !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    if (dark) document.documentElement.classList.add('dark');
    // a stored signed-in session: index.html paints the app's frame before the code has loaded
    var session = JSON.parse(localStorage.getItem('xqc-session') || 'null');
    if (session && session.status === 'signed-in') document.documentElement.setAttribute('data-session', 'signed-in');
  } catch {
    /* storage blocked: the light theme stays */
  }
})();
