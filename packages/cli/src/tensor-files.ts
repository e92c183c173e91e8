/** Reading model inputs from .npy files and writing outputs, shared by run and grad. */
import { join } from 'node:path';
import { readNpyFile, writeNpyFile } from '@xai-qc/core';
import type { Model, Tensor } from '@xai-qc/core';
import { UsageError, safeStem } from './command.ts';

/** Loads every `NAME=PATH` input. */
export async function readInputs(paths: Record<string, string>): Promise<Record<string, Tensor>> {
  const feeds: Record<string, Tensor> = {};
  for (const [name, path] of Object.entries(paths)) feeds[name] = await readNpyFile(path);
  return feeds;
}

/**
 * Writes tensors as `<stem>.npy` under `dir` (created if needed); each file appears
 * atomically (writeNpyFile goes through writeFileAtomic). Returns the written paths by value name.
 */
export async function writeTensors(dir: string, tensors: Record<string, Tensor>, prefix = ''): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  const used = new Set<string>();
  for (const [name, t] of Object.entries(tensors)) {
    let stem = prefix + safeStem(name);
    while (used.has(stem)) stem += '_';
    used.add(stem);
    const path = join(dir, `${stem}.npy`);
    await writeNpyFile(path, t);
    written[name] = path;
  }
  return written;
}

/** `[2,3]` style shape text. */
export function shapeText(t: Tensor): string {
  return `[${t.dims.join(',')}] ${t.dtype}`;
}

/** Usage error unless `names` feed exactly the model's graph inputs (initializer-backed inputs optional). */
export function checkInputNames(model: Model, names: readonly string[]): void {
  const required = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name)).map((i) => i.name);
  const missing = required.filter((n) => !names.includes(n));
  if (missing.length) throw new UsageError(`missing --input for graph input(s): ${missing.join(', ')}`);
  const unknown = names.filter((n) => !model.graph.inputs.some((i) => i.name === n));
  if (unknown.length) throw new UsageError(`the model has no input named ${unknown.join(', ')} (inputs: ${required.join(', ')})`);
}
