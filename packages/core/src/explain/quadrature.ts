/**
 * Quadrature rules on [0, 1] for path integrals (integrated gradients): Riemann sums
 * (left, right, midpoint), the trapezoid rule, and Gauss-Legendre, whose n nodes are the
 * roots of the Legendre polynomial P_n found by Newton iteration, so an n-point rule
 * integrates every polynomial of degree <= 2n - 1 exactly.
 */
import { XqcError } from '../errors.ts';

/** A quadrature rule on [0, 1]. */
export type IntegrationRule = 'left' | 'right' | 'midpoint' | 'trapezoid' | 'gauss-legendre';

/** Every rule name, for validation and help texts. */
export const INTEGRATION_RULES: readonly IntegrationRule[] = ['left', 'right', 'midpoint', 'trapezoid', 'gauss-legendre'];

/** Nodes and weights: `int_0^1 g(a) da ~= sum_k weights[k] * g(nodes[k])`, with sum(weights) = 1. */
export interface Quadrature {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1]. P_n(z) and P_n'(z) come from the
 * three-term recurrence `j P_j = (2j - 1) z P_{j-1} - (j - 1) P_{j-2}`; each root is
 * polished by Newton's method from the Chebyshev-like guess cos(pi (i - 1/4) / (n + 1/2)),
 * and its weight is `2 / ((1 - z^2) P_n'(z)^2)`. Nodes are returned in increasing order.
 */
export function gaussLegendre(n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new XqcError('XQC_INVALID_ARGUMENT', `Gauss-Legendre needs 1..1024 nodes, got ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 1; i <= Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      dp = (n * (z * p1 - p2)) / (z * z - 1);
      const step = p1 / dp;
      z -= step;
      if (Math.abs(step) <= 1e-15) break;
    }
    const w = 2 / ((1 - z * z) * dp * dp);
    nodes[i - 1] = -z;
    nodes[n - i] = z;
    weights[i - 1] = w;
    weights[n - i] = w;
  }
  return { nodes, weights };
}

/**
 * The nodes and weights of `rule` on [0, 1]. `steps` is the number of sub-intervals for
 * the Riemann and trapezoid rules (the trapezoid rule evaluates steps + 1 points) and the
 * number of nodes for Gauss-Legendre.
 */
export function integrationRule(rule: IntegrationRule, steps: number): Quadrature {
  if (!Number.isInteger(steps) || steps < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `steps must be a positive integer, got ${steps}`);
  if (rule === 'gauss-legendre') {
    const g = gaussLegendre(steps);
    return { nodes: g.nodes.map((z) => (z + 1) / 2), weights: g.weights.map((w) => w / 2) };
  }
  if (rule === 'trapezoid') {
    const nodes = new Float64Array(steps + 1);
    const weights = new Float64Array(steps + 1);
    for (let k = 0; k <= steps; k++) {
      nodes[k] = k / steps;
      weights[k] = k === 0 || k === steps ? 0.5 / steps : 1 / steps;
    }
    return { nodes, weights };
  }
  const shift = rule === 'left' ? 0 : rule === 'right' ? 1 : rule === 'midpoint' ? 0.5 : NaN;
  if (Number.isNaN(shift)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown integration rule '${rule}'; expected one of ${INTEGRATION_RULES.join(', ')}`);
  const nodes = new Float64Array(steps);
  for (let k = 0; k < steps; k++) nodes[k] = (k + shift) / steps;
  return { nodes, weights: new Float64Array(steps).fill(1 / steps) };
}
