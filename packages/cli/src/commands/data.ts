/** `xaiqc data generate`: writes a deterministic synthetic dataset. */
import { generateDataset } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';

const KINDS = ['surface', 'radiograph', 'cells'];
const FORMATS = ['classification', 'segmentation', 'anomaly'];

export const dataCommand: Command = {
  name: 'data',
  summary: 'generate synthetic inspection datasets (surface, radiograph, cells)',
  help: `Usage: xaiqc data generate --kind surface|radiograph|cells --count N --seed S --out DIR
                          [--format classification|segmentation|anomaly] [--size PX] [--defect-rate R] [--json]

Writes a deterministic synthetic dataset with pixel-exact masks in one of the folder
layouts, plus labels.json and manifest.json (SHA-256 per file, seeded stratified split).
Prints the dataset hash: the SHA-256 of the files and labels, whatever the split, so
\`xaiqc evaluate\` and \`xaiqc train\` report the same hash for this folder. Progress goes
to stderr.

Options:
  --kind KIND         surface (scratch, crack, spot, hole), radiograph (porosity, crack,
                      lack_of_fusion) or cells (five white-cell types)
  --count N           number of images
  --seed S            seed (default 0): the same seed writes byte-identical files
  --out DIR           output folder (must be empty or absent)
  --format F          layout (default segmentation)
  --size PX           square image side (default 128)
  --defect-rate R     share of defect images, 0..1 (default 0.5; surface and radiograph)
  --json              print a JSON summary`,
  options: {
    kind: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    size: { type: 'string' },
    'defect-rate': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals[0] !== 'generate') throw new UsageError(`expected 'xaiqc data generate' (got '${positionals[0] ?? ''}')`);
    const kind = required(values, 'kind');
    if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    const format = (values.format as string | undefined) ?? 'segmentation';
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const count = intOption(values, 'count', -1);
    if (count < 1) throw new UsageError('--count must be a positive integer');
    const defectRate = values['defect-rate'] === undefined ? undefined : Number(values['defect-rate']);
    if (defectRate !== undefined && !(defectRate >= 0 && defectRate <= 1)) throw new UsageError('--defect-rate must be in [0, 1]');
    const t0 = performance.now();
    const progress = progressFor(io, 'data');
    const r = await generateDataset({
      kind: kind as 'surface',
      count,
      seed: intOption(values, 'seed', 0),
      out: required(values, 'out'),
      format: format as 'segmentation',
      size: intOption(values, 'size', 128),
      defectRate,
      onProgress: (done, total) => progress.update('images', done, total),
    }).finally(() => progress.end());
    const seconds = (performance.now() - t0) / 1000;
    const summary = { root: r.root, format: r.format, classes: r.manifest.classes, images: r.manifest.files.filter((f) => f.role === 'image').length, hash: r.manifest.id, seconds };
    io.out(values.json ? JSON.stringify(summary, null, 2) : `${summary.images} images (${summary.classes.join(', ')}) in ${r.root}, dataset ${summary.hash.slice(0, 12)}, ${seconds.toFixed(1)} s`);
    return 0;
  },
};
