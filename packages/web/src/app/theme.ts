/** Light and dark themes: the `dark` class on <html>, remembered in localStorage (theme-init.js applies it before paint). */
import { useSyncExternalStore } from 'react';

/** A theme choice. */
export type Theme = 'light' | 'dark';

const listeners = new Set<() => void>();
const current = (): Theme => (document.documentElement.classList.contains('dark') ? 'dark' : 'light');

/** Sets and remembers the theme. */
export function setTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  try {
    localStorage.setItem('xqc-theme', theme);
  } catch {
    /* not remembered */
  }
  listeners.forEach((l) => l());
}

/** React hook: the current theme. */
export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    current,
    () => 'light',
  );
}
