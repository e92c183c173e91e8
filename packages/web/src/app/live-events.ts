/**
 * Live updates: one WebSocket (`/api/xai-qc/ws`, through `@xai-qc/client`'s connectEvents)
 * while signed in, reconnected with backoff. Each event invalidates the queries it changes
 * (the table below) and is handed to subscribers of {@link useLiveEvent}; a fired alert also
 * shows a toast.
 */
import { connectEvents } from '@xai-qc/client';
import type { XqcEvent, XqcEventType } from '@xai-qc/client';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { toast } from '../shared/ui/toast.tsx';
import { queryClient } from './query-client.ts';
import { currentAccessToken, getSession, subscribeSession } from './session.ts';

/** Query-key prefixes each event type makes stale. */
export const INVALIDATES: Record<XqcEventType, (e: XqcEvent) => unknown[][]> = {
  'inspection.created': () => [['inspections'], ['metrics'], ['review-queue']],
  'explanation.ready': (e) => [['explanations', (e.data as { inspectionId: string }).inspectionId]],
  'job.progress': (e) => [['job', (e.data as { jobId: string }).jobId]],
  'job.finished': (e) => [['jobs'], ['job', (e.data as { jobId: string }).jobId], ['runs'], ['reports'], ['models'], ['calibration'], ['explanations']],
  'run.epoch': (e) => [['run', (e.data as { runId: string }).runId], ['runs']],
  'alert.fired': () => [['alerts']],
  'review.created': (e) => [['metrics'], ['calibration'], ['review-queue'], ['inspections'], ['thresholds'], ['reviews', (e.data as { inspectionId: string }).inspectionId], ['inspection', (e.data as { inspectionId: string }).inspectionId]],
  'monitor.result': () => [['monitors'], ['monitor-results']],
};

type Listener = (e: XqcEvent) => void;
const listeners = new Set<Listener>();
let status: 'off' | 'connecting' | 'live' = 'off';
const statusListeners = new Set<() => void>();
const setStatus = (s: typeof status) => {
  status = s;
  statusListeners.forEach((l) => l());
};

let running = false;
let stop: (() => void) | undefined;

async function run(): Promise<void> {
  let delay = 1000;
  let closeCurrent: (() => void) | undefined;
  let stopped = false;
  stop = () => {
    stopped = true;
    closeCurrent?.();
  };
  while (!stopped && getSession().status === 'signed-in') {
    setStatus('connecting');
    try {
      const conn = await connectEvents({ baseUrl: window.location.origin, token: currentAccessToken });
      closeCurrent = () => conn.close();
      setStatus('live');
      delay = 1000;
      conn.onEvent((e) => {
        for (const key of INVALIDATES[e.type]?.(e) ?? []) void queryClient.invalidateQueries({ queryKey: key });
        if (e.type === 'alert.fired') toast(`Alert: ${e.data.ruleName}`, { description: `${e.data.metric} is ${e.data.value.toFixed(3)} (${e.data.comparator} ${e.data.threshold})`, tone: 'error' });
        for (const l of [...listeners]) l(e);
      });
      await conn.closed;
    } catch {
      /* refused or unreachable: retry below */
    }
    closeCurrent = undefined;
    if (stopped) break;
    setStatus('connecting');
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30_000);
  }
  setStatus('off');
}

/** Starts or stops the connection as the session signs in and out (called once by main.tsx). */
export function startLiveEvents(): void {
  const sync = () => {
    const signedIn = getSession().status === 'signed-in';
    if (signedIn && !running) {
      running = true;
      void run().finally(() => (running = false));
    } else if (!signedIn && running) stop?.();
  };
  subscribeSession(sync);
  sync();
}

/** Calls `handler` for each live event of `type` while the component is mounted. */
export function useLiveEvent<T extends XqcEventType>(type: T, handler: (e: Extract<XqcEvent, { type: T }>) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l: Listener = (e) => {
      if (e.type === type) ref.current(e as Extract<XqcEvent, { type: T }>);
    };
    listeners.add(l);
    return () => void listeners.delete(l);
  }, [type]);
}

/** The connection's state, for the header's indicator. */
export function useLiveStatus(): 'off' | 'connecting' | 'live' {
  return useSyncExternalStore(
    (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    () => status,
    () => status,
  );
}
