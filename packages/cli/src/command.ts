/** The shape of one CLI command and the shared argument helpers. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { XqcError } from '@xai-qc/core';
import type { ProgressStream } from './progress.ts';

/** Exit statuses of `xaiqc`, documented in `xaiqc --help` and the README; they do not change. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** One `xaiqc <name>` command. */
export interface Command {
  name: string;
  summary: string;
  /** Full help text (usage line first). */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, positionals: string[], io: CliIO): Promise<number>;
}

/** Where a command writes (tests pass buffers). */
export interface CliIO {
  /** A result line (stdout). */
  out(line: string): void;
  /** An error line (stderr). */
  err(line: string): void;
  /** Where progress goes (stderr from the terminal; absent: no progress). Use `progressFor(io, name)`. */
  progress?: ProgressStream;
}

/** Parses argv for `cmd`; unknown options are a usage error. */
export function parse(cmd: Command, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see xaiqc ${cmd.name} --help)`);
  }
}

/** A usage error (unknown command or option, missing or malformed value): printed as `XQC_USAGE: message`, exit status 2. */
export class UsageError extends Error {
  readonly code = 'XQC_USAGE';

  /** `XQC_USAGE: message`, the one-line form the CLI prints. */
  toLine(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** The value of a required string option. */
export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Parses repeated `NAME=PATH` options into a map. */
export function namedPaths(values: Record<string, unknown>, name: string): Record<string, string> {
  const list = (values[name] as string[] | undefined) ?? [];
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--${name} expects NAME=PATH, got '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A file-system-safe file stem for a graph value name. */
export function safeStem(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return s || 'value';
}

/** Parses an integer option. */
export function intOption(values: Record<string, unknown>, name: string, dflt: number): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${String(v)}'`);
  return n;
}

export { XqcError };
