import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, testConfig } from '@xai-qc/server';
import type { App } from '@xai-qc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

const BIN = fileURLToPath(new URL('../../bin/xaiqc.js', import.meta.url));

describe('xaiqc worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xqc-worker-'));
  let app: App;
  beforeAll(async () => {
    // The API side: same data folder, no worker of its own.
    app = await buildApp(testConfig(dir, { jobConcurrency: 0 }), { logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the jobs the API enqueued in the shared SQLite database, and stops on SIGTERM', async () => {
    const job = await app.jobQueue.enqueue('blob.sweep', { graceMs: 0 }, { accountId: 'acct-cli' });
    const child = spawn(process.execPath, [BIN, 'worker', '--data-dir', dir, '--concurrency', '1'], {
      env: { ...process.env, XQC_LOG_LEVEL: 'warn', DATABASE_URL: undefined, REDIS_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const end = Date.now() + 60_000;
      while ((await app.jobQueue.get('acct-cli', job.id))?.status !== 'succeeded') {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`job not run; stdout: ${out} stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
    }
    expect(out).toMatch(/XAI-QC worker running 1 job\(s\) at once from the database; SQLite in /);
    expect(await app.jobQueue.get('acct-cli', job.id)).toMatchObject({ status: 'succeeded', attempts: 1, result: { batches: 1 } });
  }, 90_000);

  it('refuses bad flags as usage errors', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await main(['worker', '--concurrency', '0'], io)).toBe(2);
    expect(lines.join('\n')).toMatch(/XQC_USAGE: --concurrency must be an integer 1..999, got '0'/);
    expect(await main(['worker', 'extra'], io)).toBe(2);
  });
});
