/**
 * Writes the web app's end-to-end fixtures (packages/web/e2e/fixtures/): a few synthetic
 * surface images from the project's own generator, so the browser tests need no data from
 * outside the repository. Run: `npx tsx scripts/make-e2e-fixtures.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng, generateSample } from '@xai-qc/core';

const out = fileURLToPath(new URL('../packages/web/e2e/fixtures/', import.meta.url));
const wanted: [string, string, number][] = [
  ['surface-scratch.png', 'scratch', 11],
  ['surface-good.png', 'good', 12],
  ['surface-spot.png', 'spot', 13],
  ['surface-crack.png', 'crack', 14],
];
for (const [name, label, seed] of wanted) {
  const s = generateSample('surface', { seed, width: 128, height: 128, label });
  writeFileSync(out + name, await encodePng(s.image));
  console.log(name, s.label, s.instances.length);
}
