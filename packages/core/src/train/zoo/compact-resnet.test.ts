import { describe, expect, it } from 'vitest';
import { compactResNet } from './compact-resnet.ts';

describe('compactResNet', () => {
  it('stacks depth stages of two BasicBlocks with doubling width after a 3x3/2 stem', () => {
    const z = compactResNet({ width: 8, depth: 4, numClasses: 3 });
    const g = z.model.graph;
    expect(g.initializers.get('conv1.weight')?.dims).toEqual([8, 3, 3, 3]);
    expect(g.nodes.find((n) => n.name === 'conv1')?.attributes.strides).toEqual({ type: 'ints', value: [2, 2] });
    expect(g.nodes.some((n) => n.opType === 'MaxPool')).toBe(false);
    expect(g.initializers.get('layer4.1.conv2.weight')?.dims).toEqual([64, 64, 3, 3]);
    expect(g.nodes.some((n) => n.name.startsWith('layer5'))).toBe(false);
    expect(z.featureLayers).toEqual(['layer1.1.relu', 'layer2.1.relu', 'layer3.1.relu', 'layer4.1.relu']);
    expect(z.lastSpatial).toBe('layer4.1.relu');
    expect(g.outputs[0]).toEqual({ name: 'logits', dtype: 'float32', shape: ['N', 3] });
  });

  it('puts dropout (default 0.2) between the pooled features and the classifier', () => {
    const z = compactResNet({ numClasses: 2 });
    const g = z.model.graph;
    expect(g.nodes.find((n) => n.name === 'dropout')?.inputs.slice(0, 1)).toEqual(['flatten']);
    expect(Array.from((g.initializers.get('dropout.ratio')?.data ?? []) as Float32Array)).toEqual([Math.fround(0.2)]);
    expect(g.nodes.find((n) => n.name === 'fc')?.inputs[0]).toBe('dropout');
  });

  it('pools average and max side by side by default, average alone with pool avg', () => {
    const both = compactResNet({ width: 8, depth: 2, numClasses: 3 });
    const g = both.model.graph;
    expect(g.nodes.find((n) => n.name === 'pool')).toMatchObject({ opType: 'Concat', inputs: ['avgpool', 'maxpool'] });
    expect(g.nodes.find((n) => n.name === 'maxpool')?.opType).toBe('GlobalMaxPool');
    expect(g.initializers.get('fc.weight')?.dims).toEqual([3, 32]);
    const avg = compactResNet({ width: 8, depth: 2, numClasses: 3, pool: 'avg' }).model.graph;
    expect(avg.nodes.some((n) => n.opType === 'GlobalMaxPool')).toBe(false);
    expect(avg.initializers.get('fc.weight')?.dims).toEqual([3, 16]);
  });

  it('rejects a depth the input cannot support', () => {
    expect(() => compactResNet({ numClasses: 2, depth: 5, inputSize: 16 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => compactResNet({ numClasses: 0 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});
