/**
 * Trains the project's own PatchCore backbone (models/backbones/backbone-128) on the varied
 * synthetic backbone corpus (packages/core/src/data/synthetic/backbone-corpus.ts),
 * reproducibly from a seed:
 *   npm run train:backbone                                   the shipped configuration
 *   npm run train:backbone -- --count 12000 --epochs 20       a longer run on a quiet machine
 *   npm run train:backbone -- --out .tmp/backbone-try --data .tmp/backbone-corpus-try
 * Options: --count N images (default 4000), --epochs N (default 6), --seed S (default 1,
 * seeds the corpus, the split and the weights), --size PX (default 128), --width N
 * (default 16), --depth N (default 3), --batch N (default 32), --lr X (default 3e-3),
 * --data DIR (default .tmp/backbone-corpus/<seed>-<count>-<size>), --out DIR (default
 * models/backbones/backbone-128), --workers N.
 *
 * The corpus is written as a classification folder (one folder per proxy label
 * `<family>-good|defect`, PNG files) under .tmp (not committed) and reused when complete.
 * The network is the zoo's compact ResNet trained by runTraining (70/15/15 split); the
 * model folder receives model.onnx, model_card.yaml (the proxy task's figures on the
 * held-out test split), dataset_card.yaml, run.json and corpus.json (the generator's
 * settings and per-label counts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKBONE_FAMILIES, backboneLabels, backboneSample, encodePng, runTraining } from '@xai-qc/core';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '4000' },
    epochs: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: '128' },
    width: { type: 'string', default: '16' },
    depth: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '3e-3' },
    workers: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string', default: 'models/backbones/backbone-128' },
  },
});

function int(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}; got ${v}`);
  return n;
}

const count = int('count', values.count, 40);
const epochs = int('epochs', values.epochs, 1);
const seed = int('seed', values.seed, 0);
const size = int('size', values.size, 32);
const width = int('width', values.width, 1);
const depth = int('depth', values.depth, 1);
const batchSize = int('batch', values.batch, 1);
const lr = Number(values.lr);
const workers = values.workers === undefined ? undefined : int('workers', values.workers, 1);
const root = process.cwd();
const data = resolve(values.data ?? join(root, '.tmp', 'backbone-corpus', `${seed}-${count}-${size}`));
const out = resolve(values.out);

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

interface CorpusRecord {
  generator: string;
  seed: number;
  count: number;
  size: number;
  defectRate: number;
  grayRate: number;
  families: readonly string[];
  counts: Record<string, number>;
  defectKinds: Record<string, number>;
  grayImages: number;
  seconds: number;
}

/** Writes the corpus (or reuses a complete one with the same settings). */
async function writeCorpus(): Promise<CorpusRecord> {
  const stamp = join(data, 'corpus.json');
  if (existsSync(stamp)) {
    const rec = JSON.parse(await readFile(stamp, 'utf8')) as CorpusRecord;
    if (rec.seed === seed && rec.count === count && rec.size === size) return rec;
  }
  await rm(data, { recursive: true, force: true });
  for (const label of backboneLabels()) await mkdir(join(data, label), { recursive: true });
  const t0 = performance.now();
  const counts: Record<string, number> = Object.fromEntries(backboneLabels().map((l) => [l, 0]));
  const defectKinds: Record<string, number> = {};
  let grayImages = 0;
  for (let i = 0; i < count; i++) {
    const s = backboneSample(seed, i, { size });
    counts[s.label]++;
    for (const k of s.kinds) defectKinds[k] = (defectKinds[k] ?? 0) + 1;
    if (s.gray) grayImages++;
    await writeFile(join(data, s.label, `${String(i).padStart(6, '0')}.png`), await encodePng(s.image, { compressionLevel: 1 }));
    if ((i + 1) % 500 === 0) process.stdout.write(`corpus: ${i + 1}/${count}\n`);
  }
  const rec: CorpusRecord = {
    generator: 'backboneSample (packages/core/src/data/synthetic/backbone-corpus.ts)',
    seed,
    count,
    size,
    defectRate: 0.5,
    grayRate: 0.35,
    families: BACKBONE_FAMILIES,
    counts,
    defectKinds,
    grayImages,
    seconds: (performance.now() - t0) / 1000,
  };
  // Written last: its presence marks a complete corpus.
  await writeFile(stamp, JSON.stringify(rec, null, 2) + '\n');
  return rec;
}

async function main(): Promise<void> {
  const corpus = await writeCorpus();
  process.stdout.write(`corpus: ${count} images of ${size} px in ${data} (${corpus.seconds.toFixed(0)} s to generate)\n`);
  const labels = backboneLabels();
  const t0 = performance.now();
  const record = await runTraining({
    task: 'classify',
    data,
    out,
    name: 'backbone-128',
    epochs,
    batchSize,
    lr,
    width,
    depth,
    size,
    seed,
    patience: 0,
    threads: 1,
    workers,
    goodLabels: labels.filter((l) => l.endsWith('-good')),
    codeVersion: commit(),
    intendedUse:
      `A feature trunk for PatchCore (xaiqc train --task anomaly --backbone ${join('models', 'backbones', 'backbone-128', 'model.onnx')}): its layer2 and layer3 activations describe ` +
      `texture patches of ${size}x${size} RGB inputs. Trained from scratch on ${count} synthetic images of ${BACKBONE_FAMILIES.length} texture families ` +
      `(${BACKBONE_FAMILIES.join(', ')}) at random scale, lighting, specular bands, noise and gray or colour, half of them with simulated defects ` +
      `(Perlin regions of foreign or displaced texture, scratches, cracks, spots, holes, stains), on the proxy task of naming the family and whether a defect is present ` +
      `(${labels.length} classes). The classifier head is only the proxy task; it is not a defect classifier for real parts.`,
    limitations: [
      'Synthetic textures only: no real photograph was used in training; validate PatchCore figures on your own good and defective images.',
      `Trained under a bounded budget (${epochs} epochs of ${Math.round(count * 0.7)} training images on two shared CPU cores); a longer run on a quiet machine (npm run train:backbone -- --count 12000 --epochs 20) should give better features.`,
      'The metrics below are the proxy task (family x good/defect) on a held-out split of the same synthetic corpus, not anomaly-detection figures.',
      'PatchCore figures with this trunk against the demo classifier trunk (synthetic surfaces and radiographs, BSData): docs/anomaly.md, section A backbone trained here.',
    ],
    onEvent: (e) => {
      if (e.type === 'epoch') {
        const r = e.record;
        process.stdout.write(`epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)} val ${r.valMetric.toFixed(4)}${e.best ? ' *' : ''} ${r.imagesPerSecond.toFixed(1)} img/s ${r.seconds.toFixed(0)} s\n`);
      }
    },
  });
  await rm(join(out, 'checkpoint'), { recursive: true, force: true });
  await writeFile(join(out, 'corpus.json'), JSON.stringify({ ...corpus, seconds: undefined }, null, 2) + '\n');
  const test = record.test && 'accuracy' in record.test ? { accuracy: record.test.accuracy, macroF1: record.test.macroF1 } : record.test;
  process.stdout.write(`backbone-128: test ${JSON.stringify(test)}; training ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

await main();
