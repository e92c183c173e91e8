import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

const BIN = fileURLToPath(new URL('../../bin/xaiqc.js', import.meta.url));

describe('xaiqc serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xqc-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the server, prints its URL and how to sign in, answers, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dir, '--demo-models', 'false'], {
      env: { ...process.env, XQC_LOG_LEVEL: 'warn', XQC_ADMIN_PASSWORD: undefined, DATABASE_URL: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${out} stderr: ${err}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        // The first admin's lines end the banner (the sign-in line before them mentions a password field too).
        if (m && /shown once/.test(out)) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(out).toContain(`${url}/docs`);
    expect(out).toMatch(/admin/);
    const health = await fetch(`${url}/api/xai-qc/health`);
    expect(health.status).toBe(200);
    const models = await fetch(`${url}/api/xai-qc/models`);
    expect(models.status).toBe(401);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('refuses bad flags as usage errors', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await main(['serve', '--demo-models', 'maybe'], io)).toBe(2);
    expect(lines.join('\n')).toMatch(/XQC_USAGE: --demo-models must be true or false/);
    expect(await main(['serve', 'extra'], io)).toBe(2);
  });
});
