/**
 * Shared pieces of the benchmark suites: repeated timing with warm-up, resident-memory
 * accounting per phase, a description of the machine, a plain-text table and the JSON
 * result file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { runtimeVersions } from '../src/runtime/session.ts';

/** Statistics of repeated timings, in milliseconds. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns median, min and max. */
export async function timeRuns(fn: () => unknown, runs: number, warmup = 3): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

/**
 * Times several functions round-robin (f0, f1, ..., f0, f1, ...), so that a change of
 * machine load hits all of them alike; returns one {@link Timing} per function. With
 * `warmTurns` > 0, each turn first calls the function once untimed and then times
 * `warmTurns` consecutive calls (their mean is the sample): the figure of a function
 * running back to back, with its weights in cache, which a single call right after a
 * large neighbour does not show. `clock` (ms) defaults to wall time; {@link cpuClock}
 * measures this process's CPU time instead.
 */
export async function timeInterleaved(fns: (() => unknown)[], runs: number, warmup = 2, warmTurns = 0, clock: () => number = () => performance.now()): Promise<Timing[]> {
  for (let i = 0; i < warmup; i++) for (const f of fns) await f();
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < fns.length; k++) {
      if (warmTurns > 0) await fns[k]();
      const calls = Math.max(warmTurns, 1);
      const t0 = clock();
      for (let c = 0; c < calls; c++) await fns[k]();
      times[k].push((clock() - t0) / calls);
    }
  }
  return times.map(summarise);
}

/** CPU time of this process (user + system), in ms: what a shared VM's stolen time does not inflate. */
export function cpuClock(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median, min and max of `times` (ms). */
export function summarise(times: number[]): Timing {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), runs: s.length };
}

/** Memory of one phase, in MiB: resident set before and after, and the process high-water mark after. */
export interface MemoryPhase {
  phase: string;
  rssBefore: number;
  rssAfter: number;
  rssDelta: number;
  /** process.resourceUsage().maxRSS after the phase (the peak so far). */
  maxRss: number;
  /** How much the phase raised the peak. */
  maxRssDelta: number;
}

const MIB = 1024 * 1024;

/** Records the memory of successive phases of one process. */
export class MemoryLog {
  readonly phases: MemoryPhase[] = [];

  /** Runs `fn` as phase `phase` and records the resident set around it. */
  async phase<T>(phase: string, fn: () => Promise<T> | T): Promise<T> {
    const rssBefore = process.memoryUsage().rss / MIB;
    const maxBefore = process.resourceUsage().maxRSS / 1024;
    const result = await fn();
    const rssAfter = process.memoryUsage().rss / MIB;
    const maxRss = process.resourceUsage().maxRSS / 1024;
    this.phases.push({
      phase,
      rssBefore: round(rssBefore),
      rssAfter: round(rssAfter),
      rssDelta: round(rssAfter - rssBefore),
      maxRss: round(maxRss),
      maxRssDelta: round(maxRss - maxBefore),
    });
    return result;
  }
}

/** The machine and software a result was measured on. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  onnxruntime: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the suite started (other work skews timings). */
  loadAverage: number[];
  date: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.availableParallelism(),
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    onnxruntime: runtimeVersions().node ?? runtimeVersions().common ?? 'unknown',
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map(round),
    date: new Date().toISOString(),
  };
}

/** A plain-text table: one header row, columns padded to their widest cell, numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const numeric = header.map((_, j) => rows.every((r) => typeof r[j] === 'number'));
  const line = (r: string[]): string => r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Writes `data` as indented JSON to `bench/results/<name>.json`; returns the path. */
export async function writeResult(name: string, data: unknown): Promise<string> {
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file.pathname;
}

/** `v` rounded to 3 decimals (timings in ms, sizes in MiB). */
export function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
