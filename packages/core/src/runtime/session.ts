/**
 * The only importer of onnxruntime-node. Everything else in XAI-QC runs graphs through
 * {@link OnnxSession}, which speaks the engine's plain {@link Tensor}s. Sessions are
 * cached by the SHA-256 of the model bytes plus the options, so the same graph built
 * twice (a gradient graph for the same model, a helper kernel) is compiled once.
 * A session made outside a cache ({@link createSession}) holds native memory until it is
 * released: use {@link withSession}, or release it in a `finally`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { XqcError } from '../errors.ts';
import type { DType, Tensor } from '../onnx/tensor.ts';
import { sizeOf } from '../onnx/tensor.ts';

// ONNX Runtime's process-wide logger starts at 'warning' and prints start-up diagnostics
// (device discovery, telemetry, deprecations) to stderr on every call of the CLI. Errors
// still reach the caller as exceptions; sessions log at the same level (logSeverityLevel 3).
ort.env.logLevel = 'error';

/** Options of a session. Defaults suit a 2-core CPU server. */
export interface SessionOptions {
  /** Threads inside one operator (default: ONNX Runtime's choice, all cores). */
  intraOpThreads?: number;
  /** Threads across operators (default 1: sequential execution). */
  interOpThreads?: number;
  /** Graph optimisation level (default 'all'). */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Execution providers in order of preference (default ['cpu']). */
  executionProviders?: string[];
  /**
   * Whether ONNX Runtime's intra- and inter-op threads spin (busy-wait) for work after a run
   * (default true, ONNX Runtime's own default: lowest latency for back-to-back runs). Set false
   * where the process shares its cores with other work, such as the server's inference workers
   * beside the API thread: idle pool threads then sleep instead of burning a core
   * (`session.intra_op.allow_spinning` / `session.inter_op.allow_spinning` = "0").
   */
  spinning?: boolean;
  /** Memory arena on the CPU (default true). */
  enableCpuMemArena?: boolean;
  /**
   * Turns on ONNX Runtime's profiler: every run's kernel times go to a JSON trace file
   * `<profileFilePrefix>_<date>.json`, written when {@link OnnxSession.endProfiling} is called.
   * For benchmarks; off by default.
   */
  profileFilePrefix?: string;
}

/** A compiled model ready to run. */
export class OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private releasing: Promise<void> | undefined;
  private readonly onRelease: (() => void)[] = [];

  constructor(private readonly session: ort.InferenceSession, readonly key: string) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  /** True once {@link release} was called: the session can no longer run. */
  get released(): boolean {
    return this.releasing !== undefined;
  }

  /**
   * Runs the graph. `feeds` maps input names to tensors; `outputs` selects outputs
   * (default all). Returns the requested outputs as engine tensors.
   */
  async run(feeds: Record<string, Tensor>, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    if (this.released) throw new XqcError('XQC_RUNTIME', 'this session was released and cannot run');
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      // onnxruntime-node silently drops feeds that are not session inputs (including
      // initializers listed as graph inputs), which would make a fed value have no effect.
      if (!this.inputNames.includes(name)) {
        throw new XqcError('XQC_INVALID_ARGUMENT', `'${name}' is not an input of this model (inputs: ${this.inputNames.join(', ')})`);
      }
      ortFeeds[name] = toOrt(t, name);
    }
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = outputs ? await this.session.run(ortFeeds, [...outputs]) : await this.session.run(ortFeeds);
    } catch (e) {
      throw new XqcError('XQC_RUNTIME', `ONNX Runtime run failed: ${firstLine((e as Error).message)}`, { cause: e });
    }
    const out: Record<string, Tensor> = {};
    for (const [name, v] of Object.entries(result)) out[name] = fromOrt(v as ort.Tensor, name);
    return out;
  }

  /** Writes the profiler's trace file (sessions created with `profileFilePrefix` only). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Frees the native session and drops it from the cache that made it, if any. Calling it again does nothing. */
  release(): Promise<void> {
    if (!this.releasing) {
      for (const f of this.onRelease.splice(0)) f();
      this.releasing = this.session.release();
    }
    return this.releasing;
  }

  /** Registers `f` to run when the session is released (the cache uses it to forget the entry). */
  whenReleased(f: () => void): void {
    if (this.released) f();
    else this.onRelease.push(f);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 500);
}

const ORT_TYPES: ReadonlySet<string> = new Set([
  'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
]);

function toOrt(t: Tensor, name: string): ort.Tensor {
  if (!ORT_TYPES.has(t.dtype)) throw new XqcError('XQC_DTYPE_UNSUPPORTED', `input '${name}': dtype ${t.dtype} cannot be fed to ONNX Runtime`);
  if (t.data.length !== sizeOf(t.dims)) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `input '${name}': ${t.data.length} values for dims [${t.dims.join(',')}]`);
  }
  return new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
}

function fromOrt(v: ort.Tensor, name: string): Tensor {
  const dtype = v.type as DType;
  if (!ORT_TYPES.has(dtype)) throw new XqcError('XQC_DTYPE_UNSUPPORTED', `output '${name}' has unsupported dtype ${v.type}`);
  return { dtype, dims: [...v.dims], data: v.data as Tensor['data'] };
}

function toOrtOptions(o: SessionOptions): ort.InferenceSession.SessionOptions {
  const opts: ort.InferenceSession.SessionOptions = {
    interOpNumThreads: o.interOpThreads ?? 1,
    graphOptimizationLevel: o.graphOptimization ?? 'all',
    executionProviders: o.executionProviders ?? ['cpu'],
    enableCpuMemArena: o.enableCpuMemArena ?? true,
    // Warnings such as "initializer appears in graph inputs" are expected for training graphs.
    logSeverityLevel: 3,
  };
  if (o.intraOpThreads !== undefined) opts.intraOpNumThreads = o.intraOpThreads;
  if (o.spinning === false) opts.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  if (o.profileFilePrefix !== undefined) {
    opts.enableProfiling = true;
    opts.profileFilePrefix = o.profileFilePrefix;
  }
  return opts;
}

/** SHA-256 of model bytes, hex. */
export function modelHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A least-recently-used cache of compiled sessions keyed by model hash and options. */
export class SessionCache {
  private readonly entries = new Map<string, Promise<OnnxSession>>();

  constructor(readonly capacity = 32) {}

  /** Returns the cached session for `bytes` and `options`, compiling it on first use. */
  async get(bytes: Uint8Array, options: SessionOptions = {}): Promise<OnnxSession> {
    const key = `${modelHash(bytes)}|${JSON.stringify(options, Object.keys(options).sort())}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = createSession(bytes, options, key);
    this.entries.set(key, pending);
    const forget = (): void => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    };
    pending.then((s) => s.whenReleased(forget), forget);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      const victim = this.entries.get(oldest);
      this.entries.delete(oldest);
      victim?.then((s) => s.release()).catch(() => undefined);
    }
    return pending;
  }

  /** Number of cached sessions. */
  get size(): number {
    return this.entries.size;
  }

  /** Releases every cached session. */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.release()));
  }
}

/** Compiles `bytes` into a session (uncached). */
export async function createSession(bytes: Uint8Array, options: SessionOptions = {}, key = modelHash(bytes)): Promise<OnnxSession> {
  try {
    const s = await ort.InferenceSession.create(bytes, toOrtOptions(options));
    return new OnnxSession(s, key);
  } catch (e) {
    throw new XqcError('XQC_RUNTIME', `ONNX Runtime could not load the model: ${firstLine((e as Error).message)}`, { cause: e });
  }
}

/**
 * Compiles `bytes`, calls `f` with the session and releases the session afterwards,
 * whether `f` returned or threw.
 */
export async function withSession<T>(bytes: Uint8Array, f: (session: OnnxSession) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const session = await createSession(bytes, options);
  try {
    return await f(session);
  } finally {
    await session.release();
  }
}

/**
 * The graph ONNX Runtime actually runs for `bytes` with `options`, after its own
 * optimisations (fusions; on the CPU the blocked NCHWc layout, with its ReorderInput and
 * ReorderOutput nodes in domain `com.microsoft.nchwc`), as ONNX bytes. For diagnostics and
 * benchmarks: the blocked form is specific to this machine's CPU and is not meant to be
 * loaded elsewhere.
 * @throws XQC_RUNTIME when ONNX Runtime cannot load the model
 */
export async function optimizedModel(bytes: Uint8Array, options: SessionOptions = {}): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'xqc-optimized-'));
  try {
    const path = join(dir, 'model.onnx');
    let s: ort.InferenceSession;
    try {
      s = await ort.InferenceSession.create(bytes, { ...toOrtOptions(options), optimizedModelFilePath: path });
    } catch (e) {
      throw new XqcError('XQC_RUNTIME', `ONNX Runtime could not load the model: ${firstLine((e as Error).message)}`, { cause: e });
    }
    await s.release();
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The process-wide default cache used by helpers that take no explicit cache. */
export const defaultSessionCache = new SessionCache();

/** Versions of the runtime in use. */
export function runtimeVersions(): Record<string, string> {
  return { ...(ort.env.versions as Record<string, string>) };
}
