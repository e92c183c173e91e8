import { describe, expect, it } from 'vitest';
import { resnet } from './resnet.ts';
import type { ZooModel } from './zoo.types.ts';

function parameterCount(z: ZooModel): number {
  return z.parameters.reduce((n, p) => n + (z.model.graph.initializers.get(p)?.data.length ?? NaN), 0);
}

describe('resnet', () => {
  // torchvision: sum(p.numel() for p in resnet<depth>().parameters()).
  it.each([
    [18, 11_689_512],
    [50, 25_557_032],
  ] as const)('resnet%i with 1000 classes has torchvision\'s %i parameters', (depth, expected) => {
    const z = resnet({ depth, numClasses: 1000 });
    expect(parameterCount(z)).toBe(expected);
  });

  it('names nodes, values and weights like torchvision modules and state_dict keys', () => {
    const z = resnet({ depth: 18, width: 8, numClasses: 3 });
    const g = z.model.graph;
    const node = (name: string) => g.nodes.find((n) => n.name === name);
    expect(node('conv1')?.attributes.kernel_shape).toEqual({ type: 'ints', value: [7, 7] });
    expect(node('conv1')?.attributes.strides).toEqual({ type: 'ints', value: [2, 2] });
    expect(node('maxpool')?.attributes.pads).toEqual({ type: 'ints', value: [1, 1, 1, 1] });
    expect(node('layer2.0.conv1')?.attributes.strides).toEqual({ type: 'ints', value: [2, 2] });
    expect(node('layer2.0.downsample.0')?.inputs).toEqual(['layer1.1.relu', 'layer2.0.downsample.0.weight']);
    expect(node('layer1.0.add')?.inputs).toEqual(['layer1.0.bn2', 'maxpool']);
    expect(node('layer4.1.relu')?.outputs).toEqual(['layer4.1.relu']);
    expect(node('fc')).toMatchObject({ opType: 'Gemm', inputs: ['flatten', 'fc.weight', 'fc.bias'], outputs: ['logits'] });
    expect(g.initializers.get('layer3.1.bn2.running_var')?.dims).toEqual([32]);
    expect(g.nodes.some((n) => n.name.startsWith('layer1.0.downsample'))).toBe(false);
    expect(z.featureLayers).toEqual(['layer1.1.relu', 'layer2.1.relu', 'layer3.1.relu', 'layer4.1.relu']);
    expect(z.lastSpatial).toBe('layer4.1.relu');
    expect(z.model.metadata['xai-qc.last_spatial']).toBe('layer4.1.relu');
  });

  it('puts a Bottleneck\'s stride on its 3x3 conv and expands by 4', () => {
    const z = resnet({ depth: 50, width: 4, numClasses: 2 });
    const attr = (name: string) => z.model.graph.nodes.find((n) => n.name === name)?.attributes.strides;
    expect(attr('layer3.0.conv1')).toEqual({ type: 'ints', value: [1, 1] });
    expect(attr('layer3.0.conv2')).toEqual({ type: 'ints', value: [2, 2] });
    expect(z.model.graph.initializers.get('layer1.0.conv3.weight')?.dims).toEqual([16, 4, 1, 1]);
    // layer1 changes channels (4 -> 16) at stride 1, so it has a projection shortcut too.
    expect(z.model.graph.initializers.get('layer1.0.downsample.0.weight')?.dims).toEqual([16, 4, 1, 1]);
    expect(z.model.graph.initializers.get('fc.weight')?.dims).toEqual([2, 128]);
    expect(z.lastSpatial).toBe('layer4.2.relu');
  });

  it('adds dropout before the classifier only when asked', () => {
    const without = resnet({ depth: 18, width: 4, numClasses: 2 });
    expect(without.model.graph.nodes.some((n) => n.opType === 'Dropout')).toBe(false);
    const withDrop = resnet({ depth: 18, width: 4, numClasses: 2, dropout: 0.3 });
    const d = withDrop.model.graph.nodes.find((n) => n.opType === 'Dropout');
    expect(d?.inputs.slice(0, 1)).toEqual(['flatten']);
    expect(withDrop.model.graph.nodes.find((n) => n.name === 'fc')?.inputs[0]).toBe('dropout');
    expect(Array.from((withDrop.model.graph.initializers.get('dropout.ratio')?.data ?? []) as Float32Array)).toEqual([Math.fround(0.3)]);
  });

  it('rejects depths it does not know', () => {
    expect(() => resnet({ depth: 101 as 18, numClasses: 2 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});
