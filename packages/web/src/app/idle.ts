/**
 * Deferring work that the first paint does not need (prefetching a chunk that is not needed
 * yet) until the browser is idle after the page has loaded.
 */

/**
 * Runs `fn` once the page has loaded, `afterMs` more have passed, and the main thread is idle
 * (requestIdleCallback, at most `timeoutMs` later; a timer where the browser lacks it).
 * Returns a function that cancels it.
 */
export function whenIdle(fn: () => void, { afterMs = 0, timeoutMs = 2000 }: { afterMs?: number; timeoutMs?: number } = {}): () => void {
  let cancelled = false;
  let cancelIdle = () => {};
  const schedule = () => {
    if (cancelled) return;
    if (afterMs > 0) {
      const id = setTimeout(idle, afterMs);
      cancelIdle = () => clearTimeout(id);
    } else idle();
  };
  const idle = () => {
    if (cancelled) return;
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(() => !cancelled && fn(), { timeout: timeoutMs });
      cancelIdle = () => cancelIdleCallback(id);
    } else {
      const id = setTimeout(() => !cancelled && fn(), 1);
      cancelIdle = () => clearTimeout(id);
    }
  };
  if (typeof document === 'undefined' || document.readyState === 'complete') schedule();
  else window.addEventListener('load', schedule, { once: true });
  return () => {
    cancelled = true;
    cancelIdle();
    if (typeof window !== 'undefined') window.removeEventListener('load', schedule);
  };
}
