/** The image the API benchmarks send. */
import { encodePng } from '@xai-qc/core';

/** A deterministic 224 x 224 textured surface with a scratch: a realistic PNG (not noise), 42,901 bytes. */
export async function benchImage(): Promise<Uint8Array> {
  const w = 224;
  const h = 224;
  const data = new Uint8Array(w * h * 3);
  let s = 7;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = 120 + 20 * Math.sin(x / 6) * Math.cos(y / 9) + ((s >>> 16) % 12);
      const scratch = Math.abs(y - 0.6 * x - 40) < 2 && x > 60 && x < 170 ? -70 : 0;
      data.fill(Math.max(0, Math.min(255, Math.round(v + scratch))), (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
  }
  return encodePng({ width: w, height: h, channels: 3, data });
}
