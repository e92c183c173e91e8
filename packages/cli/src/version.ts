/** Versions: the CLI package's, and the code version recorded in runs (the git commit of the checkout). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;
let cachedPackage: string | undefined;

/** The `version` of the CLI's package.json (SemVer). */
export function packageVersion(): string {
  cachedPackage ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedPackage;
}

/** `git rev-parse HEAD` of the repository holding the CLI, else `xai-qc@<package version>`. */
export function codeVersion(): string {
  if (cached) return cached;
  try {
    cached = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    cached = `xai-qc@${packageVersion()}`;
  }
  return cached;
}
