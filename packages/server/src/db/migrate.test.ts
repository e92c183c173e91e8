import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import { migrateToLatest } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  it('apply every migration once, in order, and then nothing', async () => {
    const t = await openTestDatabase(dialect, { migrate: false });
    try {
      const db = t.db as unknown as Kysely<unknown>;
      expect(await migrateToLatest(db)).toEqual(Object.keys(MIGRATIONS).sort());
      expect(await migrateToLatest(db)).toEqual([]);
      const tables = (await db.introspection.getTables()).map((x) => x.name);
      expect(tables).toEqual(expect.arrayContaining(['blobs', 'models', 'model_versions', 'model_version_files']));
    } finally {
      await t.close();
    }
  });

  it('migrate a fresh schema beside an already migrated one (bookkeeping is per schema)', async () => {
    const other = await openTestDatabase(dialect);
    const t = await openTestDatabase(dialect, { migrate: false });
    try {
      expect(await migrateToLatest(t.db as unknown as Kysely<unknown>)).toEqual(Object.keys(MIGRATIONS).sort());
    } finally {
      await t.close();
      await other.close();
    }
  });

  it('enforce at most one active version per model and foreign keys', async () => {
    const t = await openTestDatabase(dialect);
    try {
      const now = new Date().toISOString();
      await t.db.insertInto('blobs').values({ sha256: 'a'.repeat(64), size: 1, media_type: 'x', created_at: now, last_put_at: now }).execute();
      await t.db.insertInto('models').values({ id: 'm1', name: 'm', task: 'classify', description: null, created_at: now, updated_at: now }).execute();
      const version = (id: string, v: string, active: number) => ({
        id,
        model_id: 'm1',
        version: v,
        task: 'classify',
        onnx_sha256: 'a'.repeat(64),
        card_sha256: 'a'.repeat(64),
        card_json: '{}',
        onnx_size: 1,
        ir_version: 8,
        opset: 17,
        input_name: 'input',
        input_shape_json: '[]',
        is_active: active,
        created_at: now,
        created_by: null,
      });
      await t.db.insertInto('model_versions').values(version('v1', '1', 1)).execute();
      await t.db.insertInto('model_versions').values(version('v2', '2', 0)).execute();
      await expect(t.db.insertInto('model_versions').values(version('v3', '3', 1)).execute()).rejects.toThrow();
      await expect(t.db.insertInto('model_versions').values(version('v4', '1', 0)).execute()).rejects.toThrow();
      await expect(t.db.insertInto('model_versions').values({ ...version('v5', '5', 0), onnx_sha256: 'b'.repeat(64) }).execute()).rejects.toThrow();
      const rows = await sql<{ n: number }>`select count(*) as n from model_versions`.execute(t.db);
      expect(Number(rows.rows[0].n)).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('migrations on postgres while other schemas come and go', () => {
  it('succeed although schemas are dropped during Kysely table check (a parallel test run)', async () => {
    const { createTestSchema, dropTestSchema, TEST_DATABASE_URL } = await import('../test/test-database.ts');
    const pg = (await import('pg')).default;
    const churn = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await churn.connect();
    let stop = false;
    // Schemas with a table each, created and dropped as fast as the server allows.
    const churning = (async () => {
      for (let i = 0; !stop; i++) {
        const name = await createTestSchema();
        await churn.query(`create table "${name}".t (a integer, b text, c text)`);
        await dropTestSchema(name);
      }
    })();
    try {
      for (let round = 0; round < 4; round++) {
        const t = await openTestDatabase('postgres', { migrate: false });
        try {
          expect(await migrateToLatest(t.db as unknown as Kysely<unknown>)).toEqual(Object.keys(MIGRATIONS).sort());
        } finally {
          await t.close();
        }
      }
    } finally {
      stop = true;
      await churning;
      await churn.end();
    }
  }, 60_000);
});
