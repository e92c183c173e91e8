import type { ImageU8 } from '../image/image.types.ts';

/**
 * The benchmarks' image: a deterministic 224 x 224 textured surface (gray values in three channels) with a dark
 * scratch, realistic enough to compress like a photograph (42,901 bytes as PNG), not noise.
 * The server's API benchmarks send it as PNG; core's `signals` suite measures it.
 */
export function benchSurfacePixels(): ImageU8 {
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
  return { width: w, height: h, channels: 3, data };
}
