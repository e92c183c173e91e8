/**
 * Model files for registry tests, read from the shipped demo models (`models/`), with helpers
 * to derive variants (another version, a broken card) without touching the originals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_MODELS_DIR } from '../config/load-config.ts';
import type { ModelFilePart } from '../services/model-validation.ts';
import { MODEL_FILES } from '../services/model-validation.ts';
import type { FormPart } from './multipart.ts';

/** The parts of demo model `name` (e.g. surface-classifier), every file present in its folder. */
export function demoParts(name: string): Map<ModelFilePart, Uint8Array> {
  const parts = new Map<ModelFilePart, Uint8Array>();
  for (const [part, file] of Object.entries(MODEL_FILES) as [ModelFilePart, string][]) {
    try {
      parts.set(part, readFileSync(join(REPO_MODELS_DIR, name, file)));
    } catch {
      // Only anomaly models have the PatchCore files.
    }
  }
  return parts;
}

/** A copy of `parts` whose card text went through `edit`. */
export function withCard(parts: ReadonlyMap<ModelFilePart, Uint8Array>, edit: (yaml: string) => string): Map<ModelFilePart, Uint8Array> {
  const out = new Map(parts);
  out.set('card', new TextEncoder().encode(edit(new TextDecoder().decode(parts.get('card')))));
  return out;
}

/** Sets the card's top-level `version:` line. */
export function withVersion(parts: ReadonlyMap<ModelFilePart, Uint8Array>, version: string): Map<ModelFilePart, Uint8Array> {
  return withCard(parts, (y) => y.replace(/^version: .*$/m, `version: ${version}`));
}

/** The parts as multipart form parts, file names as in a model folder. */
export function formParts(parts: ReadonlyMap<ModelFilePart, Uint8Array>, fields: Record<string, string> = {}): FormPart[] {
  return [
    ...[...parts].map(([name, data]) => ({ name, filename: MODEL_FILES[name], data })),
    ...Object.entries(fields).map(([name, data]) => ({ name, data })),
  ];
}
