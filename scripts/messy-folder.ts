/**
 * Builds a real-world-like classification folder for the robustness check of training:
 * synthetic surface images re-encoded to a mix of PNG and JPEG at mixed sizes, plus
 * corrupt files (truncated PNG, random bytes named .jpg, an empty file, text named .png).
 *   npx tsx scripts/messy-folder.ts OUT [count]
 * then: npx xaiqc train --task classify --data OUT --out runs/messy --epochs 1 --size 32 --width 4
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { generateSample } from '@xai-qc/core';

const out = process.argv[2];
if (!out) throw new Error('usage: messy-folder.ts OUT [count]');
const count = Number(process.argv[3] ?? 3000);
for (let i = 0; i < count; i++) {
  const size = 48 + ((i * 37) % 160);
  const s = generateSample('surface', { seed: 5000 + i, width: size, height: Math.round(size * (0.75 + ((i % 5) * 0.1))) });
  const dir = join(out, s.label);
  await mkdir(dir, { recursive: true });
  const img = sharp(Buffer.from(s.image.data), { raw: { width: s.image.width, height: s.image.height, channels: s.image.channels } });
  if (i % 3 === 0) await writeFile(join(dir, `img${i}.jpg`), await img.jpeg({ quality: 70 + (i % 25) }).toBuffer());
  else await writeFile(join(dir, `img${i}.png`), await img.png().toBuffer());
}
const good = join(out, 'good');
const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
await writeFile(join(good, 'truncated.png'), png.subarray(0, png.length >> 1));
await writeFile(join(good, 'noise.jpg'), Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 255));
await writeFile(join(good, 'empty.png'), new Uint8Array(0));
await writeFile(join(good, 'notes.png'), 'not an image');
console.log(`wrote ${count} images and 4 corrupt files under ${out}`);
