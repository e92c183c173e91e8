/** The code version recorded in runs: the git commit of the checkout, or the package version. */
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** `git rev-parse HEAD` of the repository holding the CLI, else `xai-qc@<version>`. */
export function codeVersion(): string {
  if (cached) return cached;
  try {
    cached = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    cached = 'xai-qc@0.1.0';
  }
  return cached;
}
