/**
 * Arithmetic on dimensions that may be numbers, symbols (`'N'`) or unknown (null).
 * Products are kept as a coefficient times a multiset of symbols and written back as a
 * canonical string such as `'2*N'`, so `[N, 3, 4] -> [N, -1]` resolves the -1 to 12, a
 * batch folded into heads stays `2*N`, and unfolding it again gives back `N`.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';

/** A product of dims: `coef * syms[0] * syms[1] * ...`, or null when a factor is unknown. */
export interface SymbolicProduct {
  coef: number;
  syms: string[];
}

/** The product of `dims` in symbolic form (null when some dim is unknown); `'2*N'` reads as 2 times N. */
export function productOf(dims: readonly Dim[]): SymbolicProduct | null {
  let coef = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    if (typeof d === 'number') coef *= d;
    else {
      for (const f of d.split('*')) {
        const k = Number(f);
        if (f !== '' && Number.isInteger(k)) coef *= k;
        else syms.push(f);
      }
    }
  }
  return { coef, syms: syms.sort() };
}

/**
 * A symbolic product back as one dim: a number, a symbol, or a canonical product string
 * (`'2*H*W'`). Null for unknown factors and for a negative coefficient, which is no size.
 */
function productDim(p: SymbolicProduct | null): Dim {
  if (p === null) return null;
  if (p.syms.length === 0 || p.coef === 0) return p.coef;
  if (p.coef < 0 || !Number.isInteger(p.coef)) return null;
  return [...(p.coef === 1 ? [] : [String(p.coef)]), ...p.syms].join('*');
}

/** The product of `dims` as one dim: `[N, 1] -> N`, `[2, 3] -> 6`, `[N, 2] -> '2*N'`. */
export function productOfDims(dims: readonly Dim[]): Dim {
  return productDim(productOf(dims));
}

/**
 * `prod(numer) / prod(denom)` when it is exact: symbols cancel one for one and the
 * numeric parts must divide. Null when it cannot be decided.
 */
export function quotientOfDims(numer: readonly Dim[], denom: readonly Dim[]): Dim {
  const n = productOf(numer);
  const d = productOf(denom);
  if (!n || !d || d.coef === 0) return null;
  const rest = [...n.syms];
  for (const s of d.syms) {
    const k = rest.indexOf(s);
    if (k < 0) return null;
    rest.splice(k, 1);
  }
  if (n.coef % d.coef !== 0) return null;
  return productDim({ coef: n.coef / d.coef, syms: rest });
}

/** `a * b` for dims (a symbol times 1 stays the symbol). */
export function mulDim(a: Dim, b: Dim): Dim {
  return productOfDims([a, b]);
}

function sameSymbols(p: SymbolicProduct, q: SymbolicProduct): boolean {
  return p.syms.length === q.syms.length && p.syms.every((s, i) => s === q.syms[i]);
}

/** `a + b` for dims: numbers add, a symbol plus 0 stays itself, `N + N` is `2*N`; otherwise null. */
export function addDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  const p = productOf([a]);
  const q = productOf([b]);
  return p && q && sameSymbols(p, q) ? productDim({ coef: p.coef + q.coef, syms: p.syms }) : null;
}

/** `a - b` for dims: numbers subtract, `x - 0` is x, `3*N - N` is `2*N`; otherwise null. */
export function subDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (b === 0) return a;
  const p = productOf([a]);
  const q = productOf([b]);
  return p && q && sameSymbols(p, q) ? productDim({ coef: p.coef - q.coef, syms: p.syms }) : null;
}

/** Sum of dims (Concat along an axis). */
export function sumOfDims(dims: readonly Dim[]): Dim {
  return dims.reduce<Dim>((acc, d) => addDim(acc, d), 0);
}

/**
 * The more precise of two dims that must be equal: a number beats a symbol, a symbol
 * beats unknown. Two different numbers are an inconsistent graph.
 */
export function unifyDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `dimensions ${a} and ${b} must be equal`);
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** `axis` in `[-rank, rank)` normalised to `[0, rank)`; throws when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank || !Number.isInteger(a)) {
    throw new XqcError('XQC_SHAPE_INFERENCE', `axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Every dim of a list of dims is a number. */
export function allNumbers(dims: readonly Dim[]): dims is number[] {
  return dims.every((d) => typeof d === 'number');
}
