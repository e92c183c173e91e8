/**
 * The Inspect page's upload queue: each file goes to `POST /detect` on its own, a few at a
 * time; every item has its own state (queued, sending, done, failed) and its own listeners,
 * so one finished file re-renders its own row, not the whole list. A failed file does not
 * stop the others; errors the server calls temporary (busy) are retried with backoff.
 */

/** Where an item stands. */
export type ItemStatus = 'queued' | 'running' | 'done' | 'failed';

/** One file of the queue. */
export interface QueueItem<T, R> {
  key: string;
  input: T;
  /** Display name (the file's path inside a dropped folder, else its name). */
  name: string;
  status: ItemStatus;
  result?: R;
  error?: unknown;
  /** Tries so far (1 on the first send). */
  attempts: number;
}

/** Counts by state, plus a tally of results (e.g. pass / reject). */
export interface QueueCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  tally: Readonly<Record<string, number>>;
}

/** Options of {@link DetectQueue}. */
export interface DetectQueueOptions<T, R> {
  /** Sends one input; rejects with the problem. */
  run: (input: T, signal: AbortSignal) => Promise<R>;
  /** Items sent at once (default 3). */
  concurrency?: number;
  /** Names a result for the tally (e.g. its verdict). */
  tally?: (result: R) => string;
  /** True for errors worth another try (the server busy); default none. */
  retryable?: (error: unknown) => boolean;
  /** Tries of a retryable error, the first included (default 4). */
  maxAttempts?: number;
  /** Wait before try n + 1, ms (default 1000 * 2^(n-1)). */
  backoffMs?: (attempt: number) => number;
  /** Called once per result as it arrives (e.g. to seed the query cache). */
  onResult?: (item: QueueItem<T, R>) => void;
}

type Listener = () => void;

/** The queue. Inputs are sent in the order they were added. */
export class DetectQueue<T, R> {
  private readonly opts: Required<Omit<DetectQueueOptions<T, R>, 'tally' | 'onResult'>> & Pick<DetectQueueOptions<T, R>, 'tally' | 'onResult'>;
  private items = new Map<string, QueueItem<T, R>>();
  private order: readonly string[] = [];
  private waiting: string[] = [];
  private active = 0;
  private seq = 0;
  private countsSnapshot: QueueCounts = { total: 0, queued: 0, running: 0, done: 0, failed: 0, tally: {} };
  private readonly controller = { current: new AbortController() };
  private readonly keyListeners = new Set<Listener>();
  private readonly countListeners = new Set<Listener>();
  private readonly itemListeners = new Map<string, Set<Listener>>();

  constructor(options: DetectQueueOptions<T, R>) {
    this.opts = {
      concurrency: 3,
      retryable: () => false,
      maxAttempts: 4,
      backoffMs: (n) => 1000 * 2 ** (n - 1),
      ...options,
    };
  }

  /** Adds inputs with their display names; returns their keys. */
  add(entries: readonly { input: T; name: string }[]): string[] {
    const keys: string[] = [];
    for (const e of entries) {
      const key = `q${++this.seq}`;
      this.items.set(key, { key, input: e.input, name: e.name, status: 'queued', attempts: 0 });
      this.waiting.push(key);
      keys.push(key);
    }
    if (keys.length) {
      this.order = [...this.order, ...keys];
      this.emit(this.keyListeners);
      this.recount();
      this.pump();
    }
    return keys;
  }

  /** The keys in order (the same array until items are added or cleared). */
  keys = (): readonly string[] => this.order;

  /** One item (a new object whenever it changes). */
  item = (key: string): QueueItem<T, R> | undefined => this.items.get(key);

  /** The counts (the same object until one changes). */
  counts = (): QueueCounts => this.countsSnapshot;

  /** Sends a failed item again. */
  retry(key: string): void {
    const it = this.items.get(key);
    if (!it || it.status !== 'failed') return;
    this.update(key, { status: 'queued', error: undefined, attempts: 0 });
    this.waiting.push(key);
    this.pump();
  }

  /** Cancels what is running and waiting and empties the queue. */
  clear(): void {
    this.controller.current.abort();
    this.controller.current = new AbortController();
    const keys = [...this.items.keys()];
    this.items.clear();
    this.waiting = [];
    this.order = [];
    this.active = 0;
    this.emit(this.keyListeners);
    for (const k of keys) this.emit(this.itemListeners.get(k));
    this.recount();
  }

  /** Listens to the key list. */
  subscribeKeys = (l: Listener): (() => void) => this.listen(this.keyListeners, l);
  /** Listens to the counts. */
  subscribeCounts = (l: Listener): (() => void) => this.listen(this.countListeners, l);
  /** Listens to one item. */
  subscribeItem = (key: string, l: Listener): (() => void) => {
    let set = this.itemListeners.get(key);
    if (!set) this.itemListeners.set(key, (set = new Set()));
    const s = set;
    s.add(l);
    return () => {
      s.delete(l);
      if (!s.size) this.itemListeners.delete(key);
    };
  };

  private listen(set: Set<Listener>, l: Listener): () => void {
    set.add(l);
    return () => void set.delete(l);
  }

  private emit(set: Set<Listener> | undefined): void {
    if (set) for (const l of [...set]) l();
  }

  private update(key: string, patch: Partial<QueueItem<T, R>>): void {
    const it = this.items.get(key);
    if (!it) return;
    const next = { ...it, ...patch };
    this.items.set(key, next);
    this.emit(this.itemListeners.get(key));
    if (patch.status && patch.status !== it.status) this.recount();
  }

  private recount(): void {
    const c = { total: this.items.size, queued: 0, running: 0, done: 0, failed: 0, tally: {} as Record<string, number> };
    for (const it of this.items.values()) {
      c[it.status]++;
      if (it.status === 'done' && this.opts.tally && it.result !== undefined) {
        const k = this.opts.tally(it.result);
        c.tally[k] = (c.tally[k] ?? 0) + 1;
      }
    }
    this.countsSnapshot = c;
    this.emit(this.countListeners);
  }

  private pump(): void {
    while (this.active < this.opts.concurrency && this.waiting.length) {
      const key = this.waiting.shift()!;
      if (!this.items.has(key)) continue;
      const signal = this.controller.current.signal;
      this.active++;
      void this.send(key, signal).finally(() => {
        // after clear() the counts started again from zero
        if (signal.aborted) return;
        this.active--;
        this.pump();
      });
    }
  }

  private async send(key: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const it = this.items.get(key);
      if (!it || signal.aborted) return;
      const attempts = it.attempts + 1;
      this.update(key, { status: 'running', attempts });
      try {
        const result = await this.opts.run(it.input, signal);
        if (signal.aborted) return;
        this.update(key, { status: 'done', result });
        this.opts.onResult?.(this.items.get(key)!);
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (this.opts.retryable(error) && attempts < this.opts.maxAttempts) {
          await new Promise((r) => setTimeout(r, this.opts.backoffMs(attempts)));
          continue;
        }
        this.update(key, { status: 'failed', error });
        return;
      }
    }
  }
}
