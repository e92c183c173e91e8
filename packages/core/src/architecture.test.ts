/**
 * Architecture boundaries, checked on every test run: core imports nothing from the
 * workspace packages above it, reads no environment, and only runtime/ imports
 * onnxruntime-node. Inside core, the areas keep one direction: models/ (task adapters,
 * Predictor, PatchCore) imports neither explain/ nor train/, and uncertainty/ does not
 * import train/; shared graph helpers live in onnx/ and random streams in util/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const core = join(root, 'core', 'src');

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

const coreSrc = files(core);
const isTest = (f: string): boolean => /\.test(-helper)?\.tsx?$/.test(f);

/** Relative import and export specifiers of a file (static `from '...'` and dynamic `import('...')`), resolved to absolute paths. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/\bfrom\s+['"](\.[^'"]+)['"]/g), ...text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s));
}

/** `area/file.ts` for every import of a file in core area `from` that lands in one of the areas `banned`, as `importer -> imported`. */
function crossings(from: string, banned: string[], o: { includeTests: boolean }): string[] {
  const bad: string[] = [];
  for (const f of coreSrc) {
    if (!f.startsWith(join(core, from) + sep) || (!o.includeTests && isTest(f))) continue;
    for (const target of relativeImports(f)) {
      if (banned.some((area) => target.startsWith(join(core, area) + sep))) bad.push(`${relative(core, f)} -> ${relative(core, target)}`);
    }
  }
  return bad;
}

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
    const bad = coreSrc.filter((f) => !isTest(f) && /process\.env/.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  // Tests of PatchCore build their backbones with the training zoo, so the rule is on models' source files.
  it('models/ source imports neither explain/ nor train/', () => {
    expect(crossings('models', ['explain', 'train'], { includeTests: false })).toEqual([]);
  });

  it('uncertainty/ imports nothing from train/', () => {
    expect(crossings('uncertainty', ['train'], { includeTests: true })).toEqual([]);
  });

  it('finds a crossing when there is one', () => {
    // Guards the checker itself: explain/ does import models/, so a rule against it must report something.
    expect(crossings('explain', ['models'], { includeTests: false }).length).toBeGreaterThan(0);
  });
});
