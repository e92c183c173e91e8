import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { emptyModel } from '../testing/index.ts';
import { defaultRegistry } from './register-all.ts';
import { buildGradient } from './vjp.ts';

/** y = x * x, z = Cast(ArgMax(x)) to float, w = a + a (a independent of x), as = a * (columns of x). */
function model(): ReturnType<typeof emptyModel>['model'] {
  const { model, b } = emptyModel([
    { name: 'x', dtype: 'float32', shape: ['N', 4] },
    { name: 'a', dtype: 'float32', shape: ['N', 4] },
  ]);
  b.op('Mul', ['x', 'x'], {}, { outputNames: ['y'] });
  b.op('Cast', [b.op1('ArgMax', ['x'], { axis: 1 })], { to: 1 }, { outputNames: ['z'] });
  b.op('Add', ['a', 'a'], {}, { outputNames: ['w'] });
  b.op('Gather', [b.op1('Shape', ['x']), b.int64s([1], [])], { axis: 0 }, { outputNames: ['s'] });
  b.op('Mul', ['a', b.cast('s', 'float32')], {}, { outputNames: ['as'] });
  model.graph.outputs = [{ name: 'y' }, { name: 'z' }, { name: 'w' }, { name: 'as' }];
  return model;
}

function notDifferentiable(of: string, wrt: string[]): unknown {
  try {
    buildGradient(model(), defaultRegistry(), { of, wrt });
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('buildGradient: outputs that do not depend on wrt', () => {
  it('refuses an output with no path from wrt, naming both', () => {
    const e = notDifferentiable('w', ['x']);
    expect(isXqcError(e, 'XQC_AUTODIFF_NOT_DIFFERENTIABLE')).toBe(true);
    expect((e as Error).message).toMatch(/'w' does not depend differentiably on 'x'/);
  });

  it('refuses an output reached only through ArgMax and a Cast (zero gradient everywhere)', () => {
    expect(isXqcError(notDifferentiable('z', ['x']), 'XQC_AUTODIFF_NOT_DIFFERENTIABLE')).toBe(true);
  });

  it('refuses an output reached only through Shape', () => {
    expect(isXqcError(notDifferentiable('as', ['x']), 'XQC_AUTODIFF_NOT_DIFFERENTIABLE')).toBe(true);
  });

  it('accepts several wrt values when one reaches the output, giving zeros for the others', () => {
    const g = buildGradient(model(), defaultRegistry(), { of: 'y', wrt: ['x', 'a'] });
    expect(Object.keys(g.grads)).toEqual(['x', 'a']);
    const zeros = g.model.graph.nodes.find((n) => n.outputs.includes(g.grads.a));
    expect(zeros?.opType).toBe('ConstantOfShape');
  });
});
