import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { binEdges, binIndex } from './binning.ts';
import {
  adaptiveCalibrationError,
  classwiseCalibrationError,
  expectedCalibrationError,
  maxCalibrationError,
  reliabilityDiagram,
} from './calibration-error.ts';
import { brierScore, negativeLogLikelihood } from './proper-scores.ts';

interface BinnedReference {
  ece: number;
  mce: number;
  counts: number[];
  accuracy: number[];
  meanConfidence: number[];
}

interface CalibrationCase {
  name: string;
  probs: number[];
  labels: number[];
  bins: number;
  equalWidth: BinnedReference;
  equalMass: BinnedReference;
  ace: number;
  classwise: number;
  brier: number;
  nll: number;
}

const cases = metricsGoldens().calibration as CalibrationCase[];

describe('calibration metrics against scikit-learn calibration_curve binning', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const [strategy, ref] of [
      ['equal-width', c.equalWidth],
      ['equal-mass', c.equalMass],
    ] as const) {
      const options = { bins: c.bins, strategy };
      expectClose(expectedCalibrationError(c.probs, c.labels, options), ref.ece, `${c.name} ${strategy} ece`);
      expectClose(maxCalibrationError(c.probs, c.labels, options), ref.mce, `${c.name} ${strategy} mce`);
      const diagram = reliabilityDiagram(c.probs, c.labels, options);
      expect(diagram.bins.map((b) => b.count)).toEqual(ref.counts);
      const used = diagram.bins.filter((b) => b.count > 0);
      expectClose(
        used.map((b) => b.accuracy),
        ref.accuracy,
        `${c.name} ${strategy} accuracy`,
      );
      expectClose(
        used.map((b) => b.meanConfidence),
        ref.meanConfidence,
        `${c.name} ${strategy} confidence`,
      );
    }
    expectClose(adaptiveCalibrationError(c.probs, c.labels, { bins: c.bins }), c.ace, `${c.name} ace`);
    expectClose(classwiseCalibrationError(c.probs, c.labels, { bins: c.bins }), c.classwise, `${c.name} classwise`);
    expectClose(brierScore(c.probs, c.labels), c.brier, `${c.name} brier`);
    expectClose(negativeLogLikelihood(c.probs, c.labels), c.nll, `${c.name} nll`);
  });
});

describe('binning', () => {
  it('puts a value on an edge into the lower bin and 0 into the first', () => {
    const edges = binEdges([], 4, 'equal-width');
    expect(Array.from(edges)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(binIndex(edges, 0)).toBe(0);
    expect(binIndex(edges, 0.25)).toBe(0);
    expect(binIndex(edges, 0.2500001)).toBe(1);
    expect(binIndex(edges, 1)).toBe(3);
  });

  it('places equal-mass edges at the percentiles of the values', () => {
    expect(Array.from(binEdges([0.1, 0.2, 0.3, 0.4, 0.5], 2, 'equal-mass'))).toEqual([0.1, 0.3, 0.5]);
  });
});

describe('calibration error by hand', () => {
  it('is zero when accuracy matches confidence and measures the gap otherwise', () => {
    // Four items, all at confidence 0.75 (one bin); predictions 0, 0, 0, 1.
    const probs = [0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.25, 0.75];
    expect(expectedCalibrationError(probs, [0, 0, 0, 0])).toBeCloseTo(0, 15);
    expect(expectedCalibrationError(probs, [0, 0, 1, 1])).toBeCloseTo(0, 15);
    expect(expectedCalibrationError(probs, [0, 0, 1, 0])).toBeCloseTo(0.25, 15);
    expect(expectedCalibrationError(probs, [0, 0, 0, 1])).toBeCloseTo(0.25, 15);
    expect(maxCalibrationError(probs, [0, 0, 1, 0])).toBeCloseTo(0.25, 15);
  });

  it('rejects rows that do not sum to one and labels out of range', () => {
    expect(() => expectedCalibrationError([0.6, 0.3], [0])).toThrow(/sums to/);
    expect(() => expectedCalibrationError([0.6, 0.4], [2])).toThrow(/class index/);
    expect(() => expectedCalibrationError([], [])).toThrow(/no rows/);
  });
});
