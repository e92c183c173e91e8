import { describe, expect, it } from 'vitest';
import { unet } from './unet.ts';

describe('unet', () => {
  it('builds levels, skips, decoder dropout and a 1x1 head to per-pixel logits', () => {
    const z = unet({ width: 8, depth: 3, numClasses: 4, dropout: 0.25 });
    const g = z.model.graph;
    const node = (name: string) => g.nodes.find((n) => n.name === name);
    expect(g.outputs[0]).toEqual({ name: 'logits', dtype: 'float32', shape: ['N', 4, 64, 64] });
    expect(g.initializers.get('enc3.conv2.weight')?.dims).toEqual([64, 64, 3, 3]);
    expect(node('up2')).toMatchObject({ opType: 'ConvTranspose', inputs: ['enc3.relu2', 'up2.weight', 'up2.bias'] });
    expect(g.initializers.get('up2.weight')?.dims).toEqual([64, 32, 2, 2]);
    expect(node('cat1')?.inputs).toEqual(['up1', 'enc1.relu2']);
    expect(node('dec1.dropout')?.inputs.slice(0, 1)).toEqual(['cat1']);
    expect(g.initializers.get('dec1.conv1.weight')?.dims).toEqual([16, 32, 3, 3]);
    expect(node('head')).toMatchObject({ opType: 'Conv', outputs: ['logits'] });
    expect(g.nodes.filter((n) => n.opType === 'Dropout')).toHaveLength(3);
    expect(z.lastSpatial).toBe('dec0.relu2');
    expect(z.featureLayers).toEqual(['enc0.relu2', 'enc1.relu2', 'enc2.relu2', 'enc3.relu2', 'dec2.relu2', 'dec1.relu2', 'dec0.relu2']);
  });

  it('can up-sample by nearest Resize and a 1x1 conv, and leave dropout out', () => {
    const z = unet({ width: 4, depth: 2, numClasses: 2, upsample: 'resize', dropout: 0 });
    const g = z.model.graph;
    expect(g.nodes.some((n) => n.opType === 'ConvTranspose' || n.opType === 'Dropout')).toBe(false);
    const resize = g.nodes.find((n) => n.name === 'up1.resize');
    expect(resize?.inputs).toEqual(['enc2.relu2', '', 'up1.resize.scales']);
    expect(g.nodes.find((n) => n.name === 'cat1')?.inputs).toEqual(['up1.conv', 'enc1.relu2']);
  });

  it('rejects inputs that do not divide by 2^depth', () => {
    expect(() => unet({ numClasses: 2, depth: 3, inputSize: 60 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => unet({ numClasses: 2, depth: 3, inputSize: [64, 72] })).not.toThrow();
  });
});
