/**
 * Migration 0015 on both engines, with real /detect rows: down puts each inspection's signals
 * back into an `inspection_signals` row (as 0013 stored them), up copies such rows into the
 * inspection's signal columns, so inspections recorded before the migration stay in the
 * monitors' windows with the same values; an inspection without signals stays without.
 */
import { fileURLToPath } from 'node:url';
import { Migrator, PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import { multipartBody, registerModelFolder } from '../../routes/inspections.test-helpers.ts';
import { SignalRepository } from '../../repositories/signal.repository.ts';
import type { Inspection } from '../../schemas/inspection.schema.ts';
import { createTestApp } from '../../test/test-app.ts';
import type { TestApp } from '../../test/test-app.ts';
import { DIALECTS } from '../../test/test-database.ts';
import { bearer } from '../../test/test-tokens.ts';
import { MIGRATIONS } from './index.ts';

const MODELS = fileURLToPath(new URL('../../../../../models/', import.meta.url));
const ACCOUNT = 'acct-mig15';

async function png(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(40 * 30 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 60 + ((s >>> 16) % 120);
  }
  return encodePng({ width: 40, height: 30, channels: 3, data });
}

/** A migrator over the app's migrations, its bookkeeping in the current schema (PostgreSQL). */
async function migrator(db: Kysely<unknown>): Promise<Migrator> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const schema = pg ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0].s : undefined;
  return new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) }, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
}

describe.each(DIALECTS)('migration 0015-inspection-signal-columns on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { jobConcurrency: 0, monitorIntervalMs: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
  }, 60_000);
  afterAll(async () => t?.close());

  it('moves the signals to a table and back without losing a value', async () => {
    const stored: Inspection[] = [];
    for (let i = 0; i < 3; i++) {
      const body = multipartBody([{ filename: `m${i}.png`, bytes: await png(i + 1) }]);
      const res = await t.app.inject({ method: 'POST', url: '/api/xai-qc/detect?model=surface-classifier', payload: body.payload, headers: { ...body.headers, ...(await bearer('operator', ACCOUNT, `operator-${ACCOUNT}`)) } });
      expect(res.statusCode, res.body).toBe(201);
      stored.push(res.json<Inspection>());
    }
    // One inspection as signals off stores it: no signal columns.
    await t.app.db
      .updateTable('inspections')
      .set({ signal_brightness: null, signal_contrast: null, signal_sharpness: null, signal_saturation: null, signal_mean_r: null, signal_mean_g: null, signal_mean_b: null, signal_uncertainty: null })
      .where('id', '=', stored[2].id)
      .execute();
    const repo = new SignalRepository(t.app.db);
    const version = (await t.app.db.selectFrom('inspections').select('model_version_id').where('id', '=', stored[0].id).executeTakeFirstOrThrow()).model_version_id;
    const before = await repo.window(ACCOUNT, version, { kind: 'first', count: 10 });
    expect(before.map((r) => r.inspection_id)).toEqual([stored[0].id, stored[1].id]);
    expect(before[0]).toMatchObject({ width: 40, height: 30, predicted_class: stored[0].classIndex, uncertainty: null, verdict: stored[0].verdict });
    expect(Number(before[0].brightness)).toBeGreaterThan(60);

    const m = await migrator(t.app.db as unknown as Kysely<unknown>);
    const down = await m.migrateTo('0014-monitors');
    expect(down.error).toBeUndefined();
    // Later migrations (0016 on) go down first.
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status]).at(-1)).toEqual(['0015-inspection-signal-columns', 'Down', 'Success']);
    const old = await sql<{ inspection_id: string; brightness: number; width: number; predicted_class: number; latency_ms: number }>`select * from inspection_signals order by created_at, inspection_id`.execute(t.app.db);
    expect(old.rows.map((r) => r.inspection_id).sort()).toEqual([stored[0].id, stored[1].id].sort());
    const first = old.rows.find((r) => r.inspection_id === stored[0].id);
    expect(Number(first?.brightness)).toBeCloseTo(Number(before[0].brightness), 12);
    expect(Number(first?.width)).toBe(40);
    expect(Number(first?.latency_ms)).toBeCloseTo(Number(before[0].latency_ms), 9);

    const up = await m.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => [r.migrationName, r.direction, r.status])[0]).toEqual(['0015-inspection-signal-columns', 'Up', 'Success']);
    const after = await repo.window(ACCOUNT, version, { kind: 'first', count: 10 });
    expect(after).toEqual(before);
    expect(await repo.count(ACCOUNT)).toBe(2);
    const tables = await t.app.db.introspection.getTables();
    expect(tables.map((x) => x.name)).not.toContain('inspection_signals');
  });
});
