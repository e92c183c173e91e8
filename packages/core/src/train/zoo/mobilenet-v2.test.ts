import { describe, expect, it } from 'vitest';
import { mobilenetV2 } from './mobilenet-v2.ts';

describe('mobilenetV2', () => {
  it('has torchvision\'s 3,504,872 parameters at width 1.0 with 1000 classes', () => {
    const z = mobilenetV2({ numClasses: 1000 });
    const n = z.parameters.reduce((a, p) => a + (z.model.graph.initializers.get(p)?.data.length ?? NaN), 0);
    expect(n).toBe(3_504_872);
  });

  it('uses depthwise convs (group = channels), ReLU6 as Clip(0, 6) and linear projections', () => {
    const z = mobilenetV2({ numClasses: 5 });
    const g = z.model.graph;
    const dw = g.nodes.find((n) => n.name === 'features.4.dw.conv');
    expect(dw?.attributes.group).toEqual({ type: 'int', value: 144 });
    expect(g.initializers.get('features.4.dw.conv.weight')?.dims).toEqual([144, 1, 3, 3]);
    const clips = g.nodes.filter((n) => n.opType === 'Clip');
    // 1 stem + 2 per block with expansion (16 blocks) + 1 for block 1 (no expansion) + 1 last conv.
    expect(clips.length).toBe(35);
    expect(Array.from((g.initializers.get('clip.min')?.data ?? []) as Float32Array)).toEqual([0]);
    expect(Array.from((g.initializers.get('clip.max')?.data ?? []) as Float32Array)).toEqual([6]);
    expect(g.nodes.some((n) => n.name === 'features.4.project.relu6')).toBe(false);
    // Residual connection only where stride is 1 and channels match.
    expect(g.nodes.find((n) => n.name === 'features.3.add')?.inputs).toEqual(['features.2.project.bn', 'features.3.project.bn']);
    expect(g.nodes.some((n) => n.name === 'features.4.add')).toBe(false);
    expect(z.featureLayers).toEqual(['features.1.project.bn', 'features.3.add', 'features.6.add', 'features.13.add', 'features.18.relu6']);
    expect(z.lastSpatial).toBe('features.18.relu6');
    expect(g.nodes.find((n) => n.name === 'classifier')?.inputs[0]).toBe('dropout');
  });

  it('rounds channels to multiples of 8 as torchvision does', () => {
    const z = mobilenetV2({ numClasses: 3, widthMult: 0.35 });
    const g = z.model.graph;
    expect(g.initializers.get('features.0.conv.weight')?.dims[0]).toBe(16);
    expect(g.initializers.get('features.1.project.conv.weight')?.dims[0]).toBe(8);
    // The last conv never shrinks below 1280.
    expect(g.initializers.get('features.18.conv.weight')?.dims[0]).toBe(1280);
  });
});
