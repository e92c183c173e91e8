/**
 * The database part of the monitoring signals' cost, apart from HTTP, inference and the
 * machine's load: three SQLite files through the app's `openDatabase` (WAL, synchronous
 * NORMAL, the statement cache) and Kysely, each taking the /detect transaction's inserts (the
 * blob row and the inspection row) in one of three layouts: `old-on` the 0014 schema with the
 * signals as a second row (`inspection_signals`), `new-on` the current schema with the signals
 * as columns of the inspection row (migration 0015), `new-off` the current schema without
 * signals. `N` transactions per layout (argv[2], default 6000) after 300 of warm-up, in blocks
 * of 100 whose order rotates, so drifting load falls on all three; prints the median, p90 and
 * mean ms per transaction and the size each file reached. Foreign keys are off (the parents
 * of the rows are not created), which leaves out the signals row's own foreign-key check: the
 * old layout's cost is, if anything, under-counted. Usage:
 * `npx tsx packages/server/bench/signals-db-bench.ts [N]`.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomUUID, randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import { openDatabase } from '../src/db/connect.ts';
import { MIGRATIONS } from '../src/db/migrations/index.ts';

const N = Number(process.argv[2] ?? 6000);
const BLOCK = 100;
const dir = mkdtempSync(join(tmpdir(), 'xqc-dbmicro-'));
type Arm = 'old-on' | 'new-on' | 'new-off';
const arms: Arm[] = ['old-on', 'new-on', 'new-off'];
const dbs = {} as Record<Arm, Kysely<Database>>;
for (const a of arms) {
  const { db } = openDatabase({ sqlitePath: join(dir, `${a}.db`) });
  const m = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const r = a === 'old-on' ? await m.migrateTo('0014-monitors') : await m.migrateToLatest();
  if (r.error) throw r.error;
  await sql`pragma foreign_keys = off`.execute(db);
  dbs[a] = db;
}
const account = 'acct-bench';
const version = randomUUID();
const model = randomUUID();
async function one(a: Arm): Promise<number> {
  const db = dbs[a];
  const id = randomUUID();
  const now = new Date().toISOString();
  const sha = randomBytes(32).toString('hex');
  const row = {
    id, account_id: account, model_id: model, model_version_id: version, model_name: 'surface-classifier', model_version: '1.0.0', task: 'classify', created_at: now, created_by: 'bench',
    image_sha256: sha, image_media_type: 'image/png', image_width: 224, image_height: 224, image_size: 42901, image_name: 'surface.png', verdict: 'pass', label: 'ok', class_index: 0, score: 0.93, defect_score: 0.07, referred: 0,
    probabilities_json: '[0.93,0.07]', labels_json: '["ok","defect"]', details_json: JSON.stringify({ latency: { decodeMs: 1.2, preprocessMs: 0.3, queueMs: 0.01, computeMs: 1.3, postprocessMs: 0.05, batchSize: 1, storeMs: 0.3, totalMs: 3.9 } }), anomaly_map_sha256: null, latency_ms: 3.9,
  };
  const sig = { brightness: 121.3, contrast: 14.2, sharpness: 310.5, saturation: 0, mean_r: 121.3, mean_g: 121.3, mean_b: 121.3, uncertainty: null };
  const t0 = performance.now();
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('blobs').values({ sha256: sha, size: 42901, media_type: 'image/png', created_at: now, last_put_at: now }).execute();
    if (a === 'new-on') {
      await trx.insertInto('inspections').values({ ...row, signal_brightness: sig.brightness, signal_contrast: sig.contrast, signal_sharpness: sig.sharpness, signal_saturation: sig.saturation, signal_mean_r: sig.mean_r, signal_mean_g: sig.mean_g, signal_mean_b: sig.mean_b, signal_uncertainty: null }).execute();
    } else {
      await trx.insertInto('inspections').values(row).execute();
    }
    if (a === 'old-on') {
      // the 0014 table, no longer in the app's Database type
      await (trx as unknown as Kysely<{ inspection_signals: Record<string, unknown> }>).insertInto('inspection_signals').values({ inspection_id: id, account_id: account, model_version_id: version, model_name: 'surface-classifier', model_version: '1.0.0', created_at: now, ...sig, width: 224, height: 224, score: 0.93, defect_score: 0.07, predicted_class: 0, latency_ms: 3.9 }).execute();
    }
  });
  return performance.now() - t0;
}
for (const a of arms) for (let i = 0; i < 300; i++) await one(a);
const t: Record<Arm, number[]> = { 'old-on': [], 'new-on': [], 'new-off': [] };
const load0 = loadavg()[0];
for (let b = 0; b < N / BLOCK; b++) {
  const order = [arms[b % 3], arms[(b + 1) % 3], arms[(b + 2) % 3]];
  for (const a of order) for (let i = 0; i < BLOCK; i++) t[a].push(await one(a));
}
const q = (x: number[], p: number) => [...x].sort((a, b) => a - b)[Math.floor(p * (x.length - 1))];
const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
console.log(`SQLite transaction (blob row + inspection [+ signals]) x ${N} per arm, blocks of ${BLOCK} rotated; load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
for (const a of arms) {
  const wal = join(dir, `${a}.db-wal`);
  const size = statSync(join(dir, `${a}.db`)).size + (existsSync(wal) ? statSync(wal).size : 0);
  console.log(`${a.padEnd(8)} median ${q(t[a], 0.5).toFixed(4)} ms  p90 ${q(t[a], 0.9).toFixed(4)}  mean ${mean(t[a]).toFixed(4)} ms  file+wal ${(size / 1024 / 1024).toFixed(2)} MiB`);
}
for (const a of arms) await dbs[a].destroy();
rmSync(dir, { recursive: true, force: true });
