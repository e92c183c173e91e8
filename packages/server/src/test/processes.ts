/**
 * Real server and worker processes for tests that need more than one (scale-out, crash):
 * `src/server.ts` or `src/worker.ts` started with `node --import tsx` and the given
 * environment, resolved once the process prints its start line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** Entry points a test may start. */
export const ENTRY = {
  server: fileURLToPath(new URL('../server.ts', import.meta.url)),
  worker: fileURLToPath(new URL('../worker.ts', import.meta.url)),
} as const;

/** A started process. */
export interface TestProcess {
  readonly pid: number;
  /** The server's base URL (servers only). */
  readonly url: string | undefined;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, resolved with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, resolved once it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `entry` with `env` (over this process's environment, with DATABASE_URL and REDIS_URL
 * cleared unless given) and waits for its start line.
 * @throws when it exits first or prints nothing within `timeoutMs`.
 */
export async function startProcess(kind: keyof typeof ENTRY, env: Record<string, string>, timeoutMs = 120_000): Promise<TestProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, ['--import', 'tsx', ENTRY[kind]], {
    env: { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ready = kind === 'server' ? /listening on (http:\/\/127\.0\.0\.1:\d+)/ : /XAI-QC worker running/;
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} printed no start line within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (): void => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code}: ${out}`));
    });
  });
  const exited = (): Promise<number | null> => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
  return {
    pid: child.pid as number,
    url,
    output: () => out,
    stop: async () => {
      const done = exited();
      child.kill('SIGTERM');
      return done;
    },
    kill: async () => {
      const done = exited();
      child.kill('SIGKILL');
      await done;
    },
  };
}
