/**
 * The parts the server benchmarks share: starting bench-server.ts in a child process and
 * waiting for its READY line, and signing the bench client's access token.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

/** A running bench server. */
export interface BenchServer {
  url: string;
  /** The thread budget the server printed after its URL. */
  budget: string;
  /** The server process, whose CPU time benchmarks read from /proc. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts bench-server.ts with `args` (data folder, secret, issuer, model[, signals]) and waits up to 180 s for READY. */
export async function startBenchServer(args: readonly string[]): Promise<BenchServer> {
  const script = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 180 s')), 180_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line.slice(6));
      }
    });
    child.on('exit', (code) => reject(new Error(`the bench server exited with code ${code}`)));
  });
  const space = ready.indexOf(' ');
  return {
    url: space < 0 ? ready : ready.slice(0, space),
    budget: space < 0 ? '' : ready.slice(space + 1),
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** An operator token of account `bench` for the bench servers, valid 2 hours. */
export function benchToken(secret: string, issuer: string): Promise<string> {
  return new SignJWT({ app_metadata: { role: 'operator', account_id: 'bench' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience('authenticated')
    .setSubject('bench-client')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}
