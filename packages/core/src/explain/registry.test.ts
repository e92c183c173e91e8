import { describe, expect, it } from 'vitest';
import { resolveParams } from './method-params.ts';
import { EXPLAINERS, checkMethodParams, describeMethodParams, explainerNames, getExplainer } from './registry.ts';

describe('explainer registry', () => {
  it('lists the gradient, perturbation and anomaly-map methods alphabetically by name', () => {
    const names = explainerNames();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['gradcam', 'gradcampp', 'gradshap', 'gradxinput', 'ig', 'saliency', 'smoothgrad']));
    expect(names).toEqual(expect.arrayContaining(['kernelshap', 'lime', 'occlusion', 'rise', 'anomalymap']));
    expect(new Set(names).size).toBe(EXPLAINERS.length);
  });

  it('looks methods up by name and names the known ones for an unknown name', () => {
    expect(getExplainer('ig').name).toBe('ig');
    expect(() => getExplainer('lrp')).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN', message: expect.stringMatching(/known: anomalymap, gradcam, /) }));
  });

  it('has every method declare its parameters with a kind and a meaning', () => {
    for (const e of EXPLAINERS) {
      for (const [name, spec] of Object.entries(e.params)) {
        expect(spec.doc.length, `${e.name}.${name}`).toBeGreaterThan(5);
        if (spec.kind === 'enum') expect(spec.values?.length, `${e.name}.${name}`).toBeGreaterThan(0);
        if (spec.default !== undefined) expect(() => resolveParams(e.name, e.params, { [name]: spec.default })).not.toThrow();
      }
    }
    expect(getExplainer('ig').params.steps.default).toBe(32);
    expect(describeMethodParams('ig').join('\n')).toMatch(/^steps: an integer >= 1, default 32\./m);
    expect(describeMethodParams('ig').join('\n')).not.toMatch(/customBaseline/);
  });

  it('refuses an unknown parameter naming the valid ones, and a value of the wrong kind saying what is accepted', () => {
    expect(() => checkMethodParams('lime', { sampels: 10 })).toThrow(
      expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT', message: expect.stringMatching(/unknown parameter 'sampels' for method lime; its parameters are segments, nSegments, .*samples/) }),
    );
    expect(() => checkMethodParams('saliency', { steps: 3 })).toThrow(/unknown parameter 'steps' for method saliency; it takes no parameters/);
    expect(() => checkMethodParams('ig', { steps: 2.5 })).toThrow(/parameter ig.steps must be an integer >= 1, got 2.5/);
    expect(() => checkMethodParams('ig', { rule: 'simpson' })).toThrow(/parameter ig.rule must be one of left, right, midpoint, trapezoid, gauss-legendre, got "simpson"/);
    expect(() => checkMethodParams('occlusion', { fill: 'grey' })).toThrow(/one of mean, zero, blur or a number/);
    expect(() => checkMethodParams('rise', { probability: 1.5 })).toThrow(/in \(0, 1\]/);
    expect(() => checkMethodParams('rise', { probability: 0 })).toThrow(/parameter rise.probability must be a number in \(0, 1\], got 0/);
    expect(() => checkMethodParams('lime', { kernelWidth: 0 })).toThrow(/must be a number > 0/);
    expect(() => checkMethodParams('occlusion', { fill: 0.25, window: 4 })).not.toThrow();
  });

  it('fills defaults from the table, treating undefined as not given', () => {
    expect(resolveParams('smoothgrad', getExplainer('smoothgrad').params, { samples: 3, sigma: undefined })).toEqual({ samples: 3, sigma: 0.15, mode: 'abs' });
  });
});
