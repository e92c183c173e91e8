/**
 * `xaiqc data generate`: writes a deterministic synthetic dataset.
 * `xaiqc data input`: writes the model input of one image, as the card preprocesses it, as .npy.
 */
import { readFile } from 'node:fs/promises';
import { Predictor, decodeImage, generateDataset, ioError, writeNpyFile } from '@xai-qc/core';
import type { CliIO } from '../command.ts';
import type { Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';
import { shapeText } from '../tensor-files.ts';

const KINDS = ['surface', 'radiograph', 'cells'];
const FORMATS = ['classification', 'segmentation', 'anomaly'];
const SUBCOMMANDS = ['generate', 'input'];

async function generate(values: Record<string, unknown>, io: CliIO): Promise<number> {
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
}

async function input(values: Record<string, unknown>, io: CliIO): Promise<number> {
  const modelPath = required(values, 'model');
  const imagePath = required(values, 'image');
  const out = required(values, 'out');
  if (!out.endsWith('.npy')) throw new UsageError(`--out must name a .npy file, got '${out}'`);
  const predictor = await Predictor.load(modelPath, values.card as string | undefined);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(imagePath);
  } catch (cause) {
    throw ioError('read', imagePath, cause);
  }
  const { tensor } = predictor.prepare([await decodeImage(bytes)]);
  await writeNpyFile(out, tensor);
  io.out(values.json ? JSON.stringify({ input: predictor.inputName, file: out, dims: tensor.dims, dtype: tensor.dtype }, null, 2) : `${predictor.inputName}\t${shapeText(tensor)}\t${out}`);
  return 0;
}

export const dataCommand: Command = {
  name: 'data',
  summary: 'generate synthetic inspection datasets; write an image\'s model input as .npy',
  help: `Usage: xaiqc data generate --kind surface|radiograph|cells --count N --seed S --out DIR
                          [--format classification|segmentation|anomaly] [--size PX] [--defect-rate R] [--json]
       xaiqc data input --model M.onnx --image IMAGE --out x.npy [--card PATH] [--json]

generate: writes a deterministic synthetic dataset with pixel-exact masks in one of the
folder layouts, plus labels.json and manifest.json (SHA-256 per file, seeded stratified
split). Prints the dataset hash: the SHA-256 of the files and labels, whatever the split,
so \`xaiqc evaluate\` and \`xaiqc train\` report the same hash for this folder. File names
are <kind>-<index>.png (index from 00000), under images/ and masks/ in the segmentation
layout and under <label>/ otherwise. Progress goes to stderr.

input: writes the model input [1, C, H, W] float32 of one image, preprocessed exactly as
the model card says (colour order, resize mode and size, mean/std), for \`xaiqc run\` and
\`xaiqc grad\`; prints the model's input name to pass as --input NAME=x.npy.

Options of generate:
  --kind KIND         surface (scratch, crack, spot, hole), radiograph (porosity, crack,
                      lack_of_fusion) or cells (five white-cell types)
  --count N           number of images
  --seed S            seed (default 0): the same seed writes byte-identical files
  --out DIR           output folder (must be empty or absent)
  --format F          layout (default segmentation)
  --size PX           square image side (default 128)
  --defect-rate R     share of defect images, 0..1 (default 0.5; surface and radiograph)
  --json              print a JSON summary

Options of input:
  --model PATH        the .onnx file, with model_card.yaml beside it
  --image PATH        PNG, JPEG, WebP, TIFF, BMP or GIF image
  --out PATH          the .npy file to write
  --card PATH         model card (default: model_card.yaml beside the model)
  --json              print a JSON summary`,
  options: {
    kind: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    size: { type: 'string' },
    'defect-rate': { type: 'string' },
    model: { type: 'string' },
    image: { type: 'string' },
    card: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const [sub, ...extra] = positionals;
    if (!sub || !SUBCOMMANDS.includes(sub)) throw new UsageError(`expected 'xaiqc data generate' or 'xaiqc data input' (got '${sub ?? ''}')`);
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}' after 'data ${sub}'`);
    return sub === 'generate' ? generate(values, io) : input(values, io);
  },
};
