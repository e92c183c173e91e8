/**
 * The web app's dependency rule (STYLE.md: web -> client only): no source file of the app
 * imports another workspace package than `@xai-qc/client`, reaches into another package's
 * folder by a relative path, or imports a Node built-in. Tests may cross-check against core
 * (the colormap tables) and are exempt.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

/** The module specifiers a file imports (static, dynamic and re-exports). */
export function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Why a specifier breaks the rule, or undefined. */
export function crossing(spec: string): string | undefined {
  if (/^@xai-qc\//.test(spec) && spec !== '@xai-qc/client') return 'a workspace package other than @xai-qc/client';
  if (/^node:/.test(spec)) return 'a Node built-in';
  if (/(^|\/)\.\.\/\.\.\/\.\.\/\.\.\//.test(spec) || /packages\/(core|server|cli)\//.test(spec)) return "another package's folder";
  return undefined;
}

describe('web app imports', () => {
  it('imports only @xai-qc/client of the workspace, no Node built-in, nothing outside packages/web', () => {
    const bad = sources(SRC).flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .map((s) => [s, crossing(s)] as const)
        .filter(([, why]) => why !== undefined)
        .map(([s, why]) => `${f.slice(SRC.length)}: ${s} (${why})`),
    );
    expect(bad).toEqual([]);
    expect(sources(SRC).length).toBeGreaterThan(50);
  });

  it('finds a crossing when there is one', () => {
    const text = "import { x } from '@xai-qc/core';\nimport type { A } from '@xai-qc/client';\nconst m = await import('node:fs');\nimport '../../../../server/src/app.ts';";
    expect(specifiers(text).map(crossing)).toEqual(['a workspace package other than @xai-qc/client', undefined, 'a Node built-in', "another package's folder"]);
  });
});
