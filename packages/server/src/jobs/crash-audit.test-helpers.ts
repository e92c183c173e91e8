import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { TestDatabase } from '../test/test-database.ts';
import { crashTestBlobs } from './crash-handler.fixture.ts';

/**
 * The sweep that lists both: the killed attempts' result blobs are the only unreferenced ones,
 * a sweep with no grace period removes exactly them, and then every blob row is referenced,
 * every row has its bytes, no file lacks a row, and each job's stored result blob is readable
 * and names its own job.
 */
export async function expectNothingOrphaned(t: TestDatabase, queue: { get(a: string, id: string): Promise<{ blobKeys: string[] } | undefined> }, ids: string[], killed: number): Promise<void> {
  const blobs = crashTestBlobs(t.db, t.dataDir);
  const before = await blobs.audit();
  expect(before.unreferenced.length).toBeLessThanOrEqual(killed);
  const swept = await blobs.sweep({ graceMs: 0, limit: 10_000 });
  expect(swept.removed.sort()).toEqual(before.unreferenced);
  expect(await blobs.audit()).toEqual({ unreferenced: [], missingBytes: [], strayFiles: [], leftovers: [] });
  const rows = await t.db.selectFrom('job_blobs').select(['job_id', 'blob_sha256']).execute();
  expect(rows.map((r) => r.job_id).sort()).toEqual([...ids].sort());
  for (const id of ids) {
    const [key] = (await queue.get('acct-crash', id))?.blobKeys ?? [];
    expect(new TextDecoder().decode((await blobs.get(key as string)).bytes)).toMatch(new RegExp(`^result of ${id} by \\d+$`));
  }
}

/** Polls `probe` every 25 ms until it holds. @throws after `timeoutMs`, naming `what`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Whether the worker has ended a job and is now in the middle of another: a job that is
 * `running` in the table (`runningIds`), whose handler logged its start less than 150 ms ago
 * and has not logged its end (crash-handler.fixture.ts works 300 ms). A kill now lands
 * mid-handler; a job whose handler has ended but whose row is not yet committed does not count,
 * as its commit could land before the kill.
 */
export function endedOneAndMidAnother(lines: string[], runningIds: string[], now = Date.now()): boolean {
  if (!lines.some((l) => l.startsWith('end '))) return false;
  const ended = new Set(lines.filter((l) => l.startsWith('end ')).map((l) => l.split(' ')[1]));
  const startedAt = new Map(lines.filter((l) => l.startsWith('start ')).map((l) => [l.split(' ')[1], Number(l.split(' ')[3])]));
  return runningIds.some((id) => !ended.has(id) && now - (startedAt.get(id) ?? -Infinity) < 150);
}

/** Resolves with the exit code once `child` has exited (at once when it already has). */
export const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
