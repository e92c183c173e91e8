/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers and strings as
 * `JSON.stringify` writes them (the JSON Canonicalization Scheme, RFC 8785, for the
 * values manifests hold). Equal data always serialises to the same bytes.
 */
import { XqcError } from '../errors.ts';

/** Serialises `value` canonically; throws `XQC_INVALID_ARGUMENT` on non-finite numbers or non-JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XqcError('XQC_INVALID_ARGUMENT', `canonical JSON cannot hold ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new XqcError('XQC_INVALID_ARGUMENT', `canonical JSON cannot hold a ${typeof value}`);
}
