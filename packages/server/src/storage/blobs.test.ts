import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.ts';
import { BlobRepository } from '../repositories/blob.repository.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { FsBlobStore, isBlobKey, sha256Hex } from './blob-store.ts';
import type { BlobStore } from './blob-store.ts';
import { Blobs } from './blobs.ts';

describe.each(DIALECTS)('blobs on %s', (dialect) => {
  let t: TestDatabase;
  let store: FsBlobStore;
  let now = new Date('2026-01-01T00:00:00.000Z');
  let blobs: Blobs;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    await sql`create table blob_users (id text primary key, blob text not null references blobs(sha256))`.execute(t.db);
    store = new FsBlobStore(join(t.dataDir, 'blobs'));
    blobs = new Blobs(store, new BlobRepository(t.db), () => now);
    blobs.addReference({ table: 'blob_users', column: 'blob' });
  });
  afterAll(async () => t?.close());

  it('stores bytes under their SHA-256 once and reads them back', async () => {
    const bytes = new TextEncoder().encode('hello blobs');
    const a = await blobs.put(bytes, 'text/plain');
    const b = await blobs.put(bytes, 'text/plain');
    expect(a.sha256).toBe(sha256Hex(bytes));
    expect(isBlobKey(a.sha256)).toBe(true);
    expect(b).toEqual(a);
    const got = await blobs.get(a.sha256);
    expect(Buffer.from(got.bytes).toString()).toBe('hello blobs');
    expect(got.info).toEqual({ sha256: a.sha256, size: 11, mediaType: 'text/plain' });
    expect(existsSync(store.pathOf(a.sha256))).toBe(true);
  });

  it('answers 404 for unknown or malformed keys and 500 when bytes went missing', async () => {
    await expect(blobs.get('0'.repeat(64))).rejects.toMatchObject({ status: 404 });
    await expect(blobs.get('../etc/passwd')).rejects.toMatchObject({ status: 404 });
    const { sha256 } = await blobs.put(new Uint8Array([1, 2, 3]), 'application/octet-stream');
    await store.remove(sha256);
    await expect(blobs.get(sha256)).rejects.toMatchObject({ status: 500, code: 'XQC_BLOB_MISSING' });
  });

  it('sweeps only unreferenced blobs older than the grace period', async () => {
    now = new Date('2026-01-02T00:00:00.000Z');
    const kept = await blobs.put(new TextEncoder().encode('referenced'), 'text/plain');
    await sql`insert into blob_users (id, blob) values ('u1', ${kept.sha256})`.execute(t.db);
    const orphan = await blobs.put(new TextEncoder().encode('orphan'), 'text/plain');
    now = new Date('2026-01-02T00:30:00.000Z');
    const fresh = await blobs.put(new TextEncoder().encode('fresh orphan'), 'text/plain');
    now = new Date('2026-01-02T01:10:00.000Z');
    const { removed } = await blobs.sweep({ graceMs: 60 * 60 * 1000 });
    expect(removed).toContain(orphan.sha256);
    expect(removed).not.toContain(kept.sha256);
    expect(removed).not.toContain(fresh.sha256);
    expect(existsSync(store.pathOf(orphan.sha256))).toBe(false);
    expect(existsSync(store.pathOf(kept.sha256))).toBe(true);
    await expect(blobs.get(orphan.sha256)).rejects.toMatchObject({ status: 404 });
    expect((await blobs.get(kept.sha256)).bytes.toString()).toBe('referenced');
  });

  it('audits rows against files, and a sweep removes rowless bytes and leftovers past the grace period only', async () => {
    const { utimes, writeFile, mkdir } = await import('node:fs/promises');
    now = new Date('2026-01-05T00:00:00.000Z');
    // Bytes whose writer died before its commit: a file with no row, and a temporary leftover.
    const strayBytes = new TextEncoder().encode('written, never committed');
    const stray = sha256Hex(strayBytes);
    await store.write(stray, strayBytes);
    const leftover = join(store.root, stray.slice(0, 2), `.${stray}.0a1b2c.tmp`);
    await mkdir(join(store.root, stray.slice(0, 2)), { recursive: true });
    await writeFile(leftover, 'half');
    // A row whose bytes vanished, reported but never invented.
    const lost = await blobs.put(new TextEncoder().encode('bytes lost'), 'text/plain');
    await sql`insert into blob_users (id, blob) values ('u-lost', ${lost.sha256})`.execute(t.db);
    await store.remove(lost.sha256);

    const loose = await blobs.put(new TextEncoder().encode('put, never referenced'), 'text/plain');
    const before = await blobs.audit();
    expect(before.unreferenced).toContain(loose.sha256);
    expect(before.unreferenced).not.toContain(lost.sha256);
    expect(before.strayFiles).toContain(stray);
    expect(before.leftovers).toEqual([`${stray.slice(0, 2)}/.${stray}.0a1b2c.tmp`]);
    expect(before.missingBytes).toEqual([lost.sha256]);

    // Fresh files are inside the grace period: kept.
    const fresh = await blobs.sweep({ graceMs: 60_000 });
    expect(fresh.strayFiles).toEqual([]);
    expect(fresh.leftovers).toBe(0);
    expect(existsSync(store.pathOf(stray))).toBe(true);

    const old = new Date('2025-12-31T00:00:00.000Z');
    await utimes(store.pathOf(stray), old, old);
    await utimes(leftover, old, old);
    const res = await blobs.sweep({ graceMs: 60_000 });
    expect(res.strayFiles).toEqual([stray]);
    expect(res.leftovers).toBe(1);
    expect(existsSync(store.pathOf(stray))).toBe(false);
    expect(existsSync(leftover)).toBe(false);
    expect(await t.db.selectFrom('blobs').select('sha256').where('sha256', '=', stray).execute()).toEqual([]);

    const after = await blobs.audit();
    expect(after.strayFiles).toEqual([]);
    expect(after.leftovers).toEqual([]);
    // A put of the swept bytes stores them again.
    await blobs.put(strayBytes, 'text/plain');
    expect((await blobs.get(stray)).bytes.toString()).toBe('written, never committed');
    await sql`delete from blob_users where id = 'u-lost'`.execute(t.db);
    await blobs.release([lost.sha256]);
  });

  it('a put after a sweep stores the bytes again', async () => {
    const bytes = new TextEncoder().encode('orphan');
    const again = await blobs.put(bytes, 'text/plain');
    expect((await blobs.get(again.sha256)).bytes.toString()).toBe('orphan');
  });

  it('the database refuses to delete a referenced blob row', async () => {
    const kept = sha256Hex(new TextEncoder().encode('referenced'));
    await expect(t.db.deleteFrom('blobs').where('sha256', '=', kept).execute()).rejects.toThrow();
  });

  it('keeps a blob that an unregistered foreign key still names', async () => {
    await sql`create table hidden_users (id text primary key, blob text not null references blobs(sha256))`.execute(t.db);
    now = new Date('2026-01-03T00:00:00.000Z');
    const hidden = await blobs.put(new TextEncoder().encode('named by an unregistered column'), 'text/plain');
    await sql`insert into hidden_users (id, blob) values ('h1', ${hidden.sha256})`.execute(t.db);
    now = new Date('2026-01-04T00:00:00.000Z');
    const { removed } = await blobs.sweep({ graceMs: 1000 });
    expect(removed).not.toContain(hidden.sha256);
    expect((await blobs.get(hidden.sha256)).bytes.toString()).toBe('named by an unregistered column');
  });

  it('skips the store for bytes whose row existed and that it stored, but not after a failed write or a release', async () => {
    const writes: string[] = [];
    let fail = false;
    const counting: BlobStore = {
      write: async (key, bytes) => {
        writes.push(key);
        if (fail) throw new Error('disk full');
        await store.write(key, bytes);
      },
      read: (key) => store.read(key),
      has: (key) => store.has(key),
      remove: (key) => store.remove(key),
      check: () => store.check(),
      list: () => store.list(),
      removeLeftover: (name) => store.removeLeftover(name),
    };
    const own = new Blobs(counting, new BlobRepository(t.db), () => now);
    const tick = () => (now = new Date(now.getTime() + 1000));
    tick();
    const bytes = new TextEncoder().encode('written once');
    const a = await own.put(bytes, 'text/plain');
    tick();
    await own.put(bytes, 'text/plain');
    expect(writes).toEqual([a.sha256]);

    const lost = new TextEncoder().encode('write fails after the row');
    fail = true;
    await expect(own.put(lost, 'text/plain')).rejects.toThrow('disk full');
    fail = false;
    tick();
    const b = await own.put(lost, 'text/plain');
    expect(writes.filter((k) => k === b.sha256)).toHaveLength(2);
    expect((await own.get(b.sha256)).bytes.toString()).toBe('write fails after the row');

    tick();
    expect(await own.release([a.sha256])).toEqual([a.sha256]);
    expect(existsSync(store.pathOf(a.sha256))).toBe(false);
    tick();
    await own.put(bytes, 'text/plain');
    expect(writes.filter((k) => k === a.sha256)).toHaveLength(2);
    expect((await own.get(a.sha256)).bytes.toString()).toBe('written once');
  });

  it('releases only keys no registered column names', async () => {
    const named = await blobs.put(new TextEncoder().encode('named by a user'), 'text/plain');
    await sql`insert into blob_users (id, blob) values ('u-release', ${named.sha256})`.execute(t.db);
    expect(await blobs.release([named.sha256])).toEqual([]);
    expect((await blobs.get(named.sha256)).bytes.toString()).toBe('named by a user');
  });

  it('putWith commits the blob rows with the referencing rows, bytes on disk first, and a failure leaves neither', async () => {
    const bytes = new TextEncoder().encode('stored with its user');
    const key = sha256Hex(bytes);
    const seen = await blobs.putWith([{ bytes, mediaType: 'text/plain' }], async (infos, trx) => {
      expect(existsSync(store.pathOf(infos[0].sha256))).toBe(true);
      await sql`insert into blob_users (id, blob) values ('u-with', ${infos[0].sha256})`.execute(trx);
      return infos;
    });
    expect(seen).toEqual([{ sha256: key, size: bytes.length, mediaType: 'text/plain' }]);
    expect((await blobs.get(key)).bytes.toString()).toBe('stored with its user');
    expect(await blobs.release([key])).toEqual([]);

    const doomed = new TextEncoder().encode('its user insert fails');
    const doomedKey = sha256Hex(doomed);
    await expect(
      blobs.putWith([{ bytes: doomed, mediaType: 'text/plain' }], async (infos, trx) => {
        await sql`insert into blob_users (id, blob) values ('u-with', ${infos[0].sha256})`.execute(trx);
      }),
    ).rejects.toThrow();
    await expect(blobs.get(doomedKey)).rejects.toMatchObject({ status: 404 });
    expect(existsSync(store.pathOf(doomedKey))).toBe(false);
    const rows = await sql<{ n: number }>`select count(*) as n from blob_users where id = 'u-with'`.execute(t.db);
    expect(Number(rows.rows[0].n)).toBe(1);

    const again = await blobs.putWith([{ bytes: doomed, mediaType: 'text/plain' }], async (infos, trx) => {
      await sql`insert into blob_users (id, blob) values ('u-with-2', ${infos[0].sha256})`.execute(trx);
      return infos[0].sha256;
    });
    expect((await blobs.get(again)).bytes.toString()).toBe('its user insert fails');
  });

  it('putWith skips the row of a blob it stored before and puts it afresh when another process removed it', async () => {
    const other = new Blobs(store, new BlobRepository(t.db), () => now);
    other.addReference({ table: 'blob_users', column: 'blob' });
    const bytes = new TextEncoder().encode('removed behind its back');
    const insertUser = (id: string) => async (infos: { sha256: string }[], trx: Transaction<Database>) => {
      await sql`insert into blob_users (id, blob) values (${id}, ${infos[0].sha256})`.execute(trx);
      return infos[0].sha256;
    };
    const key = await blobs.putWith([{ bytes, mediaType: 'text/plain' }], insertUser('u-skip-1'));
    await sql`delete from blob_users where id = 'u-skip-1'`.execute(t.db);
    expect(await other.release([key])).toEqual([key]);
    expect(existsSync(store.pathOf(key))).toBe(false);

    await blobs.putWith([{ bytes, mediaType: 'text/plain' }], insertUser('u-skip-2'));
    expect((await blobs.get(key)).bytes.toString()).toBe('removed behind its back');
    const users = await sql<{ id: string }>`select id from blob_users where blob = ${key}`.execute(t.db);
    expect(users.rows.map((r) => r.id)).toEqual(['u-skip-2']);
  });

  it('registers each reference column once', () => {
    blobs.addReference({ table: 'blob_users', column: 'blob' });
    expect(blobs.referenceColumns()).toHaveLength(1);
  });
});

describe('FsBlobStore', () => {
  it('refuses keys that are not SHA-256 hex', () => {
    expect(() => new FsBlobStore('/tmp/x').pathOf('abc')).toThrow(/64 lowercase hex/);
  });
});
