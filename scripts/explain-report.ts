/**
 * Explanation quality of every method on a shipped model, measured against the
 * synthetic ground-truth masks: pointing game, energy in mask, deletion and insertion
 * AUC, runtime, how often a method's map was degenerate (left out of those figures and of
 * the consensus), and the consensus score. Also writes montages of a few cases.
 *   npx tsx scripts/explain-report.ts [models/surface-classifier] [images] [seed]
 * Prints a Markdown table (used in docs/explanations.md) and writes
 * docs/images/explain-<model>-<i>.png.
 */
import { basename, join } from 'node:path';
import { Predictor, encodePng, explainImage, explanationMontage, generateSample, writeFileAtomic } from '@xai-qc/core';

const dir = process.argv[2] ?? 'models/surface-classifier';
const count = Number(process.argv[3] ?? 12);
const seed = Number(process.argv[4] ?? 9001);
const METHODS = ['saliency', 'gradxinput', 'smoothgrad', 'ig', 'gradshap', 'gradcam', 'gradcampp', 'occlusion', 'rise', 'lime', 'kernelshap'];
const predictor = await Predictor.load(join(dir, 'model.onnx'));
const name = basename(dir);
const kind = name.startsWith('weld') ? 'radiograph' : 'surface';
const defects = kind === 'surface' ? ['scratch', 'crack', 'spot', 'hole'] : ['porosity', 'crack', 'lack_of_fusion'];
const acc: Record<string, { hits: number; energy: number; del: number; ins: number; ms: number; n: number; degenerate: number }> = {};
const consensus: number[] = [];
for (let i = 0; i < count; i++) {
  const s = generateSample(kind, { seed: seed + i, width: predictor.card.input.width, height: predictor.card.input.height, label: defects[i % defects.length] });
  const r = await explainImage(predictor, s.image, { methods: METHODS, seed: i, mask: s.mask, curves: true, params: { lime: { samples: 500 }, kernelshap: { samples: 500 } } });
  if (r.summary.consensus) consensus.push(r.summary.consensus.score);
  for (const m of r.summary.methods) {
    const a = (acc[m.method] ??= { hits: 0, energy: 0, del: 0, ins: 0, ms: 0, n: 0, degenerate: 0 });
    if (m.degenerate) {
      a.degenerate++;
      continue;
    }
    a.hits += m.quality?.pointingHit ? 1 : 0;
    a.energy += m.quality?.energyInMask ?? 0;
    a.del += m.quality?.deletionAuc ?? 0;
    a.ins += m.quality?.insertionAuc ?? 0;
    a.ms += m.runtimeMs;
    a.n++;
  }
  if (i < 3) {
    const t = r.summary.target;
    const panels = r.summary.methods.map((m) => ({ method: m.method, runtimeMs: m.runtimeMs, map: r.maps[m.method], notice: m.degenerate?.message }));
    const montage = await explanationMontage(s.image, panels, {
      title: [`${predictor.card.name} ${predictor.card.version}`, `verdict ${r.summary.decision?.text ?? 'n/a'}`, `target: ${t.description} = ${t.score.toPrecision(4)} (${t.reason})`],
      aggregate: r.consensusMap && r.summary.consensus ? { map: r.consensusMap, caption: `aggregate (consensus ${r.summary.consensus.score.toFixed(2)})` } : undefined,
      predictedMask: r.overlay.mask,
      boxes: r.overlay.boxes,
      truth: s.mask,
    });
    await writeFileAtomic(join('docs', 'images', `explain-${name}-${i}.png`), await encodePng(montage));
  }
}
const f = (v: number): string => v.toFixed(3);
console.log(`| method | pointing game | energy in mask | deletion AUC (lower is better) | insertion AUC (higher is better) | mean runtime ms | degenerate maps |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
for (const [m, a] of Object.entries(acc)) {
  console.log(`| ${m} | ${f(a.hits / a.n)} | ${f(a.energy / a.n)} | ${f(a.del / a.n)} | ${f(a.ins / a.n)} | ${(a.ms / a.n).toFixed(0)} | ${a.degenerate} of ${a.n + a.degenerate} |`);
}
console.log(`\nmean consensus score over ${consensus.length} images: ${f(consensus.reduce((s, v) => s + v, 0) / consensus.length)}`);
