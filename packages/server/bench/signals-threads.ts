/**
 * Where the CPU of recording the monitoring signals goes, thread by thread:
 *   npx tsx packages/server/bench/signals-threads.ts [rounds [seconds]]   (defaults 6 and 4)
 * Starts two bench servers (bench-server.ts: embedded SQLite, the surface-classifier demo
 * model), one with signals on and one with `XQC_SIGNALS=off`, drives `/detect` with 8 clients
 * for `seconds` on each in turn (the order alternating from round to round, after one warm-up
 * round), and reads every thread's CPU time (user + system) from /proc/PID/task/TID/stat
 * before and after each slice (Linux only; clock ticks of 10 ms, summed over the rounds).
 * Prints, per thread, the CPU ms per stored request on each side and the difference. Threads
 * are named by their kernel name and their rank among the process's threads (`node@main` is
 * the API's event loop; the inference worker is the busiest other `node` thread; `libvips
 * worker` threads decode the images; the rest are V8's and libuv's helpers), so the same
 * thread lines up across the two processes. A complement to signals-bench.ts, whose ratios
 * say how much the signals cost but not where.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { multipartBody } from '../src/routes/inspections.test-helpers.ts';
import { benchImage } from './bench-image.ts';
import { benchToken, startBenchServer } from './bench-process.ts';

const ISSUER = 'https://bench.supabase.co/auth/v1';
const MODEL = 'surface-classifier';
const ROUNDS = Number(process.argv[2] ?? 6);
const SECONDS = Number(process.argv[3] ?? 4);

type Side = 'on' | 'off';
interface Server {
  url: string;
  pid: number;
  stop(): void;
}

async function startServer(dir: string, secret: string, signals: Side): Promise<Server> {
  const server = await startBenchServer([dir, secret, ISSUER, MODEL, signals]);
  if (server.pid === undefined) throw new Error('the bench server has no pid');
  return { url: server.url, pid: server.pid, stop: () => void server.stop() };
}

/** CPU ms of each thread of `pid`, keyed by kernel name and thread id. */
function threadCpu(pid: number): Map<string, { name: string; tid: number; ms: number }> {
  const out = new Map<string, { name: string; tid: number; ms: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[11] and fields[12] are utime and stime, in ticks of 1/100 s
      out.set(t, { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), tid: Number(t), ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('hex');
  const token = await benchToken(secret, ISSUER);
  const body = multipartBody([{ filename: 'surface.png', bytes: await benchImage(), type: 'image/png' }]);
  const headers = { ...body.headers, authorization: `Bearer ${token}` };
  const dirs: string[] = [];
  const servers = new Map<Side, Server>();
  const totals = new Map<Side, Map<string, number>>([
    ['on', new Map()],
    ['off', new Map()],
  ]);
  const requests = new Map<Side, number>([
    ['on', 0],
    ['off', 0],
  ]);
  try {
    for (const side of ['on', 'off'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `xqc-bench-threads-${side}-`));
      dirs.push(dir);
      servers.set(side, await startServer(dir, secret, side));
    }
    for (let r = 0; r <= ROUNDS; r++) {
      for (const side of r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const server = servers.get(side) as Server;
        const before = threadCpu(server.pid);
        const result = await autocannon({ url: `${server.url}/api/xai-qc/detect?model=${MODEL}`, connections: 8, duration: SECONDS, method: 'POST', headers, body: body.payload });
        const after = threadCpu(server.pid);
        if (r === 0) continue; // warm-up
        requests.set(side, (requests.get(side) ?? 0) + result['2xx']);
        const ranked = [...after.values()].map((t) => t.tid).sort((a, b) => a - b);
        const sums = totals.get(side) as Map<string, number>;
        for (const [tid, t] of after) {
          const key = `${t.name}@${t.tid === server.pid ? 'main' : ranked.indexOf(t.tid)}`;
          sums.set(key, (sums.get(key) ?? 0) + t.ms - (before.get(tid)?.ms ?? 0));
        }
      }
      if (r > 0) process.stderr.write(`round ${r} of ${ROUNDS} done\n`);
    }
  } finally {
    for (const s of servers.values()) s.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const on = totals.get('on') as Map<string, number>;
  const off = totals.get('off') as Map<string, number>;
  const nOn = requests.get('on') as number;
  const nOff = requests.get('off') as number;
  console.log(`${ROUNDS} rounds of ${SECONDS} s at 8 clients; ${nOn} requests with signals, ${nOff} without; CPU ms per request`);
  console.log(`${'thread'.padEnd(22)} ${'on'.padStart(7)} ${'off'.padStart(7)} ${'on - off'.padStart(9)}`);
  const keys = [...new Set([...on.keys(), ...off.keys()])].sort();
  let sumOn = 0;
  let sumOff = 0;
  for (const k of keys) {
    const a = (on.get(k) ?? 0) / nOn;
    const b = (off.get(k) ?? 0) / nOff;
    sumOn += a;
    sumOff += b;
    if (a + b >= 0.01) console.log(`${k.padEnd(22)} ${a.toFixed(3).padStart(7)} ${b.toFixed(3).padStart(7)} ${(a - b).toFixed(3).padStart(9)}`);
  }
  console.log(`${'all threads'.padEnd(22)} ${sumOn.toFixed(3).padStart(7)} ${sumOff.toFixed(3).padStart(7)} ${(sumOn - sumOff).toFixed(3).padStart(9)}`);
}

await main();
