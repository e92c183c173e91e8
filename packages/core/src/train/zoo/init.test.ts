import { describe, expect, it } from 'vitest';
import { compactResNet } from './compact-resnet.ts';

/** Initial weights as the PyTorch peer (scripts/peers/train_peer.py) draws them, torchvision's ResNet init. */
describe('initial weights of the zoo', () => {
  const zoo = compactResNet({ width: 16, depth: 3, numClasses: 5, inputSize: 64, seed: 3, training: true });
  const init = zoo.model.graph.initializers;
  const stats = (name: string): { n: number; mean: number; std: number; maxAbs: number } => {
    const d = init.get(name)?.data as Float32Array;
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    return { n: d.length, mean, std, maxAbs: d.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
  };

  it('convolutions: He-normal, fan_out (std sqrt(2 / (cout k^2)))', () => {
    const convs = zoo.parameters.filter((p) => init.get(p)?.dims.length === 4);
    expect(convs.length).toBe(15);
    for (const name of convs) {
      const [cout, , k] = init.get(name)!.dims;
      const s = stats(name);
      const expected = Math.sqrt(2 / (cout * k * k));
      // sampling error of the std is about std / sqrt(2n): 8 % at the smallest tensor (432 values)
      expect(Math.abs(s.std / expected - 1), name).toBeLessThan(Math.max(0.05, 4 / Math.sqrt(2 * s.n)));
      expect(Math.abs(s.mean), name).toBeLessThan(4 * expected / Math.sqrt(s.n));
    }
  });

  it('BatchNorm: scale 1, shift 0, running mean 0 and variance 1', () => {
    for (const bn of zoo.batchNorms) {
      const base = bn.node;
      expect(Array.from(init.get(`${base}.weight`)!.data as Float32Array).every((v) => v === 1)).toBe(true);
      expect(Array.from(init.get(`${base}.bias`)!.data as Float32Array).every((v) => v === 0)).toBe(true);
      expect(Array.from(init.get(bn.mean)!.data as Float32Array).every((v) => v === 0)).toBe(true);
      expect(Array.from(init.get(bn.var)!.data as Float32Array).every((v) => v === 1)).toBe(true);
    }
  });

  it('classifier: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights, zero bias', () => {
    const bound = 1 / Math.sqrt(128);
    const s = stats('fc.weight');
    expect(s.n).toBe(5 * 128);
    expect(s.maxAbs).toBeLessThanOrEqual(bound);
    expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.1);
    expect(Array.from(init.get('fc.bias')!.data as Float32Array).every((v) => v === 0)).toBe(true);
  });
});
