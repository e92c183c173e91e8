/**
 * Speed of the ranking metrics and the COCO evaluation at production sizes:
 * AUROC + AP over 10,000,000 scores (one shared sort, and each on its own), the binned
 * streaming accumulator over the same stream, and COCO mAP over 5,000 images with 20
 * ground-truth boxes and 20 detections each. scripts/goldens/bench_sklearn.py times
 * scikit-learn on the same sizes for comparison.
 *
 * Each figure is the median of three timed runs after one warm-up (harness.ts); the
 * AUROC + AP figure is also given in process CPU time, steadier on a shared machine.
 * Run: npx tsx -e "import('./packages/core/bench/metrics.bench.ts').then(async (m) => console.log(await m.benchMetrics()))"
 */
import { evaluateCoco } from '../src/metrics/detection/coco-eval.ts';
import type { Box, CocoDetection, CocoGroundTruth } from '../src/metrics/detection/coco-types.ts';
import { auroc, aurocFromRanked, averagePrecision, averagePrecisionFromRanked, rankScores } from '../src/metrics/ranking.ts';
import { BinnedBinaryScoreAccumulator } from '../src/metrics/score-accumulator.ts';
import { uniformRng } from '../src/util/random.ts';
import { timeRuns } from './harness.ts';

const SCORES = 10_000_000;
const IMAGES = 5_000;
const BOXES = 20;

/** 10% positives, scores uniform in [0, 1) independent of the label, as in bench_sklearn.py. */
function scoreStream(): { labels: Uint8Array; scores: Float64Array } {
  const u = uniformRng(2024);
  const labels = new Uint8Array(SCORES);
  const scores = new Float64Array(SCORES);
  for (let i = 0; i < SCORES; i++) {
    labels[i] = u() < 0.1 ? 1 : 0;
    scores[i] = u() + u() / 4294967296;
  }
  return { labels, scores };
}

/** Ground truths with jittered detections (80 %) and background false positives (20 %). */
function detectionSet(): { gts: CocoGroundTruth[]; dets: CocoDetection[] } {
  const u = uniformRng(7);
  const gts: CocoGroundTruth[] = [];
  const dets: CocoDetection[] = [];
  for (let image = 1; image <= IMAGES; image++) {
    for (let b = 0; b < BOXES; b++) {
      const w = 8 + u() * 150;
      const h = 8 + u() * 150;
      const box: Box = [u() * 500, u() * 500, w, h];
      const categoryId = 1 + Math.floor(u() * 5);
      gts.push({ imageId: image, categoryId, bbox: box });
      if (u() < 0.8) {
        const jitter = (s: number) => (u() - 0.5) * 0.2 * s;
        dets.push({
          imageId: image,
          categoryId,
          bbox: [box[0] + jitter(w), box[1] + jitter(h), w * (1 + jitter(1)), h * (1 + jitter(1))],
          score: 0.3 + 0.7 * u(),
        });
      } else {
        dets.push({ imageId: image, categoryId, bbox: [u() * 600, u() * 600, 10 + u() * 100, 10 + u() * 100], score: 0.6 * u() });
      }
    }
  }
  return { gts, dets };
}

/** Runs every benchmark and returns median wall-clock milliseconds and the figures computed. */
export async function benchMetrics(): Promise<Record<string, number>> {
  const { labels, scores } = scoreStream();
  const sharedSort = () => {
    const ranked = rankScores(labels, scores);
    return [aurocFromRanked(ranked), averagePrecisionFromRanked(ranked)];
  };
  const binned = () => {
    const acc = new BinnedBinaryScoreAccumulator({ bins: 4096 });
    acc.add(labels, scores);
    return acc.auroc().estimate;
  };
  const { gts, dets } = detectionSet();
  const cpuStart = process.cpuUsage();
  const [aurocValue, apValue] = sharedSort();
  const cpu = process.cpuUsage(cpuStart);
  const timings = {
    auroc_ap_shared_sort_10m_ms: await timeRuns(sharedSort, 3, 1),
    auroc_10m_ms: await timeRuns(() => auroc(labels, scores), 3, 1),
    ap_10m_ms: await timeRuns(() => averagePrecision(labels, scores), 3, 1),
    binned_accumulator_10m_ms: await timeRuns(binned, 3, 1),
    native_float64_sort_10m_ms: await timeRuns(() => scores.slice().sort(), 3, 1),
    coco_map_5000x20_ms: await timeRuns(() => evaluateCoco(gts, dets), 3, 1),
  };
  return {
    ...Object.fromEntries(Object.entries(timings).map(([name, t]) => [name, t.median])),
    auroc_ap_shared_sort_10m_cpu_ms: (cpu.user + cpu.system) / 1000,
    auroc_value: aurocValue,
    ap_value: apValue,
    binned_auroc_value: binned(),
    coco_map_value: evaluateCoco(gts, dets).stats.ap,
  };
}
