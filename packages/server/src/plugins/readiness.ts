/**
 * The readiness check list (`app.readinessChecks`): each plugin that the API cannot serve
 * without (database, blob store, inference) adds a named check; `GET /ready` runs them all.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A check: resolves when ready, throws (with a short reason as message) when not. */
export type ReadinessCheck = () => Promise<void>;

/** Result of one check. */
export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  /** Why it is not ready (never a stack trace). */
  error?: string;
}

/** Named readiness checks. */
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds a check; a second check with the same name throws. */
  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check '${name}' is already registered`);
    this.checks.set(name, check);
  }

  /** Names of the registered checks, in registration order. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently, each bounded by `timeoutMs` (default 2000). */
  async run(timeoutMs = 2000): Promise<CheckResult[]> {
    return Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          });
          await Promise.race([check(), timeout]);
          return { name, ok: true, ms: performance.now() - t0 };
        } catch (e) {
          return { name, ok: false, ms: performance.now() - t0, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Checks `GET /ready` runs; add yours from your plugin. */
    readinessChecks: ReadinessChecks;
  }
}

async function readinessPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('readinessChecks', new ReadinessChecks());
}

/** Decorates `app.readinessChecks`. */
export default fp(readinessPlugin, { name: 'xqc-readiness', fastify: '5.x' });
