/**
 * Rendering a long list a slice at a time: the rows that fill the first screen at once, the
 * rest in later tasks, so a page of 50 inspections never blocks the main thread in one long
 * task (the page stays responsive to input while the list fills in).
 */
import { startTransition, useEffect, useState } from 'react';

/**
 * How many of `total` items to render now: `first` at once, then `step` more per task until all
 * are shown. A list that grows (more loaded) continues from where it is; one that shrinks is
 * shown whole at once.
 */
export function useProgressiveCount(total: number, first = 10, step = 8): number {
  const [shown, setShown] = useState(() => Math.min(total, first));
  useEffect(() => {
    if (shown >= total) return;
    // a new task, so the browser can paint and handle input in between (a timer, not an
    // animation frame: a background tab still fills its list)
    // (and as a transition: React renders the slice in pieces of a few milliseconds)
    const timer = setTimeout(() => startTransition(() => setShown((s) => nextCount(s, total, first, step))), 0);
    return () => clearTimeout(timer);
  }, [shown, total, first, step]);
  return Math.min(Math.max(shown, Math.min(total, first)), total);
}

/** The next count to show: `step` more than `shown` (at least `first`), at most `total`. */
export function nextCount(shown: number, total: number, first: number, step: number): number {
  return Math.min(total, Math.max(first, shown + step));
}
