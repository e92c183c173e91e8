/**
 * Benchmark runner: `npm run bench -w @xai-qc/core -- [suite ...]` runs the named suites,
 * or every suite when none is named. Each suite prints its figures and writes
 * bench/results/<suite>.json.
 */
import { benchAnomaly } from './anomaly.bench.ts';
import { benchAutodiff } from './autodiff.bench.ts';
import { formatTable, machineInfo, writeResult } from './harness.ts';
import { benchExplain } from './explain.bench.ts';
import { benchMetrics } from './metrics.bench.ts';
import { benchSignals } from './signals.bench.ts';
import { benchTrain } from './train.bench.ts';
import { benchTrainAccuracy, benchTrainPeer } from './train-peer.bench.ts';

/** A registered benchmark suite. */
interface Suite {
  name: string;
  description: string;
  run(): Promise<unknown>;
}

const SUITES: readonly Suite[] = [
  { name: 'autodiff', description: 'gradient graph run and construction cost against forward, memory per phase', run: () => benchAutodiff() },
  { name: 'metrics', description: 'AUROC/AP on 10M scores, binned accumulator, COCO mAP on 5000 images', run: runMetrics },
  { name: 'explain', description: 'every explanation method on resnet18 at 224x224 against forward passes; LIME/SHAP on the demo model', run: () => benchExplain() },
  { name: 'train', description: 'xaiqc train side by side with a PyTorch peer: images/s, CPU utilisation, peak memory, validation accuracy', run: () => benchTrainPeer() },
  { name: 'train-accuracy', description: 'validation accuracy of xaiqc train and the PyTorch peer over several seeds: mean, spread, difference', run: () => benchTrainAccuracy() },
  { name: 'train-step', description: 'training step at 128x128: step / forward ratio, worker-loader A/B, peak memory', run: () => benchTrain() },
  { name: 'signals', description: 'monitoring statistics (imageSignals): cost per 224x224 image and sharpness sampling error per grid size', run: () => benchSignals() },
  { name: 'anomaly', description: 'PatchCore fit (200/1000 images), scoring latency (10k/100k banks), NN search ONNX vs JS', run: () => benchAnomaly() },
];

/** benchMetrics returns flat figures: print them and keep them with the machine they came from. */
async function runMetrics(): Promise<void> {
  const machine = machineInfo();
  const figures = await benchMetrics();
  console.log(formatTable(['figure', 'value'], Object.entries(figures)));
  console.log(`\nwrote ${await writeResult('metrics', { machine, figures })}`);
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => !SUITES.some((s) => s.name === a));
  if (unknown.length > 0) {
    console.error(`unknown suite ${unknown.join(', ')}; suites:\n${SUITES.map((s) => `  ${s.name.padEnd(10)}${s.description}`).join('\n')}`);
    return 2;
  }
  const chosen = args.length === 0 ? SUITES : SUITES.filter((s) => args.includes(s.name));
  for (const suite of chosen) {
    console.log(`\n== ${suite.name} ==`);
    await suite.run();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
