/**
 * Explicit registry of gradient rules: one rule per op type, registering twice throws,
 * a missing rule is reported with the op and node that needed it.
 */
import { XqcError } from '../errors.ts';
import type { Node } from '../onnx/ir.ts';
import type { GradRule } from './types.ts';

/**
 * Ops whose outputs carry no gradient: integer/boolean results, shape arithmetic, and
 * piecewise-constant functions whose derivative is zero almost everywhere.
 */
export const NON_DIFFERENTIABLE: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'EyeLike', 'NonZero', 'ArgMax', 'ArgMin',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf',
  'Floor', 'Ceil', 'Round', 'Sign', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike',
  'Multinomial', 'Bernoulli', 'OneHot',
]);

/** A set of gradient rules keyed by op type. */
export class GradRegistry {
  private readonly rules = new Map<string, GradRule>();

  /** Adds `rule`; throws XQC_AUTODIFF_DUPLICATE_RULE when its op already has one. */
  register(rule: GradRule): this {
    if (this.rules.has(rule.opType)) {
      throw new XqcError('XQC_AUTODIFF_DUPLICATE_RULE', `a gradient rule for ${rule.opType} is already registered`);
    }
    this.rules.set(rule.opType, rule);
    return this;
  }

  /** True when `opType` has a rule. */
  has(opType: string): boolean {
    return this.rules.has(opType);
  }

  /** The rule of `node`'s op; throws XQC_AUTODIFF_NO_RULE naming the op and node. */
  get(node: Node): GradRule {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? this.rules.get(node.opType) : undefined;
    if (!rule) {
      const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
      throw new XqcError('XQC_AUTODIFF_NO_RULE', `no gradient rule for op ${op} (node '${node.name || '<unnamed>'}')`, {
        details: { opType: node.opType, domain: node.domain, node: node.name },
      });
    }
    return rule;
  }

  /** Op types with a rule, sorted. */
  ops(): string[] {
    return [...this.rules.keys()].sort();
  }
}
