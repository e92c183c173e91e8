/**
 * Writes zoo models for scripts/goldens/make_zoo_goldens.py, which runs them through
 * torchvision. Usage: npx tsx scripts/goldens/zoo-export.ts <out-dir> '<json list of {key, builder, options}>'
 */
import { join } from 'node:path';
import { saveModelFile } from '../../packages/core/src/onnx/model-io.ts';
import { compactResNet, mobilenetV2, resnet, unet } from '../../packages/core/src/train/zoo/index.ts';
import type { ZooModel } from '../../packages/core/src/train/zoo/index.ts';

const BUILDERS: Record<string, (o: never) => ZooModel> = { resnet, mobilenetV2, compactResNet, unet };
const [outDir, specs] = process.argv.slice(2);
for (const s of JSON.parse(specs) as { key: string; builder: string; options: never }[]) {
  await saveModelFile(BUILDERS[s.builder](s.options).model, join(outDir, `${s.key}.onnx`));
}
