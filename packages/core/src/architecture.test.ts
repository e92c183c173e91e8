/**
 * Architecture boundaries, checked on every test run: core imports nothing from the
 * workspace packages above it, reads no environment, and only runtime/ imports
 * onnxruntime-node.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const coreSrc = files(join(root, 'core', 'src'));

describe('dependency direction', () => {
  it('core imports no workspace package above it', () => {
    const bad = coreSrc.filter((f) => /from ['"]@xai-qc\/(server|web|cli|client)/.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it('only core/src/runtime imports onnxruntime-node', () => {
    const all = [...coreSrc, ...files(join(root, 'cli', 'src'))].filter((f) => !f.endsWith('.test.ts'));
    const bad = all.filter((f) => /from ['"]onnxruntime-node['"]/.test(readFileSync(f, 'utf8')) && !f.includes(join('core', 'src', 'runtime')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it('core source reads no environment variables', () => {
    const bad = coreSrc.filter((f) => !f.endsWith('.test.ts') && /process\.env/.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });
});
