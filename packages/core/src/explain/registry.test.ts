import { describe, expect, it } from 'vitest';
import { EXPLAINERS, explainerNames, getExplainer } from './registry.ts';

describe('explainer registry', () => {
  it('lists the gradient and perturbation methods alphabetically by name', () => {
    const names = explainerNames();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['gradcam', 'gradcampp', 'gradshap', 'gradxinput', 'ig', 'saliency', 'smoothgrad']));
    expect(names).toEqual(expect.arrayContaining(['kernelshap', 'lime', 'occlusion', 'rise']));
    expect(new Set(names).size).toBe(EXPLAINERS.length);
  });

  it('looks methods up by name and names the known ones for an unknown name', () => {
    expect(getExplainer('ig').name).toBe('ig');
    expect(() => getExplainer('lrp')).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN', message: expect.stringMatching(/known: gradcam, /) }));
  });
});
