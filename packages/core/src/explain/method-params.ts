/**
 * Declared parameters of the explanation methods. Each method publishes a table of its
 * parameters (kind, default, range, what it means) and resolves what a caller passes
 * through {@link resolveParams}: an unknown name, a value of the wrong kind or out of
 * range is an error that names what is valid, and defaults are filled in from the table,
 * so the table is the one place a default lives.
 */
import { XqcError } from '../errors.ts';

/** What a parameter accepts. */
export type ParamKind = 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'object';

/** One declared parameter. */
export interface ParamSpec {
  kind: ParamKind;
  /** Default value; absent when it depends on the image (the doc says how). */
  default?: unknown;
  /** The accepted names of an 'enum'. */
  values?: readonly string[];
  /** An 'enum' that also takes a finite number (a constant fill value). */
  orNumber?: boolean;
  /** An 'enum' that also takes a tensor (an explicit baseline image). */
  orTensor?: boolean;
  /** Bounds of a number or integer, inclusive unless `exclusiveMin`. */
  min?: number;
  max?: number;
  /** The value must be above `min`, not equal to it. */
  exclusiveMin?: boolean;
  /** What the parameter does, with the default when it depends on the image. */
  doc: string;
  /** False for values only code can pass (tensors, precomputed superpixels); default true. */
  cli?: boolean;
}

/** A method's parameters by name. */
export type ParamTable = Readonly<Record<string, ParamSpec>>;

function isTensor(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v;
}

function describeKind(spec: ParamSpec, forCli = false): string {
  if (spec.kind === 'enum') {
    const extra = [spec.orNumber ? 'a number' : '', spec.orTensor && !forCli ? 'a tensor' : ''].filter(Boolean);
    return `one of ${(spec.values ?? []).join(', ')}${extra.length ? ` or ${extra.join(' or ')}` : ''}`;
  }
  const open = spec.exclusiveMin === true;
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` in ${open ? '(' : '['}${spec.min}, ${spec.max}]`
      : spec.min !== undefined
        ? ` ${open ? '>' : '>='} ${spec.min}`
        : spec.max !== undefined
          ? ` <= ${spec.max}`
          : '';
  return `${spec.kind === 'integer' ? 'an integer' : `a ${spec.kind}`}${range}`;
}

/** Why `v` does not fit `spec`, or undefined when it does. */
function misfit(spec: ParamSpec, v: unknown): string | undefined {
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v) || (spec.kind === 'integer' && !Number.isInteger(v))) return describeKind(spec);
      const below = spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min);
      if (below || (spec.max !== undefined && v > spec.max)) return describeKind(spec);
      return undefined;
    }
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'true or false';
    case 'string':
      return typeof v === 'string' && v !== '' ? undefined : 'a non-empty string';
    case 'enum':
      if (typeof v === 'string' && spec.values?.includes(v)) return undefined;
      if (spec.orNumber && typeof v === 'number' && Number.isFinite(v)) return undefined;
      if (spec.orTensor && isTensor(v)) return undefined;
      return describeKind(spec);
    case 'object':
      return typeof v === 'object' && v !== null ? undefined : 'an object';
  }
}

/**
 * The parameters of `method` with defaults filled in from `table`.
 * @param given the caller's values; keys whose value is undefined count as not given
 * @throws XQC_INVALID_ARGUMENT for an unknown name (listing the method's parameters) or a
 *   value of the wrong kind or out of range (saying what is accepted)
 */
export function resolveParams<P>(method: string, table: ParamTable, given: Readonly<Partial<P>> | undefined): P {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) if (spec.default !== undefined) out[name] = spec.default;
  for (const [name, v] of Object.entries(given ?? {})) {
    if (v === undefined) continue;
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) {
      const names = Object.keys(table);
      throw new XqcError('XQC_INVALID_ARGUMENT', `unknown parameter '${name}' for method ${method}; ${names.length ? `its parameters are ${names.join(', ')}` : 'it takes no parameters'}`);
    }
    const why = misfit(spec, v);
    if (why) throw new XqcError('XQC_INVALID_ARGUMENT', `parameter ${method}.${name} must be ${why}, got ${isTensor(v) ? 'a tensor' : JSON.stringify(v)}`);
    out[name] = v;
  }
  return out as P;
}

/** The table as plain lines for help texts: `name  kind (default d): doc`, CLI-settable parameters only. */
export function describeParams(table: ParamTable): string[] {
  return Object.entries(table)
    .filter(([, s]) => s.cli !== false)
    .map(([name, s]) => `${name}: ${describeKind(s, true)}${s.default !== undefined ? `, default ${JSON.stringify(s.default)}` : ''}. ${s.doc}`);
}
