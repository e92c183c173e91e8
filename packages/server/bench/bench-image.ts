/** The image the API benchmarks send. */
import { encodePng } from '@xai-qc/core';
import { benchSurfacePixels } from '@xai-qc/core/testing';

/** A deterministic 224 x 224 textured surface with a scratch (core's `benchSurfacePixels`): a realistic PNG (not noise), 42,901 bytes. */
export async function benchImage(): Promise<Uint8Array> {
  return encodePng(benchSurfacePixels());
}
