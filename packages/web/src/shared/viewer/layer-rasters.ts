/**
 * The viewer's raster layers as pixels, loaded and decoded lazily (only for the image shown
 * and only while the layer is on) and cached in the query cache: findings' masks tinted in
 * their class colours, the anomaly map and explanation heatmaps as 8-bit values ready for a
 * colormap.
 */
import { useQuery } from '@tanstack/react-query';
import type { components } from '@xai-qc/client';
import { getBlob } from '../../app/api.ts';
import { classColor, hexToRgb, mapToBytes, parseNpy, rleToMask, tintMask } from './raster.ts';

type Inspection = components['schemas']['Inspection'];

/** 8-bit values of a map, one per pixel, row-major. */
export interface ByteMap {
  width: number;
  height: number;
  values: Uint8Array;
}

function base64Blob(b64: string, type = 'image/png'): Blob {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

function context2d(width: number, height: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  return ctx;
}

/** Decodes a PNG into RGBA pixels, optionally resized to `size`. */
async function decodePng(blob: Blob, size?: { width: number; height: number }): Promise<ImageData> {
  const bmp = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const width = size?.width ?? bmp.width;
    const height = size?.height ?? bmp.height;
    const ctx = context2d(width, height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bmp, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  } finally {
    bmp.close();
  }
}

/** The red channel of RGBA pixels (a gray PNG's values). */
function grayOf(img: ImageData): ByteMap {
  const values = new Uint8Array(img.width * img.height);
  for (let i = 0; i < values.length; i++) values[i] = img.data[i * 4]!;
  return { width: img.width, height: img.height, values };
}

/** Findings that carry a mask (a PNG or RLE). */
export function findingsWithMasks(inspection: Inspection): Inspection['findings'] {
  return inspection.findings.filter((f) => f.maskPng || f.rle);
}

/**
 * All findings' masks in one RGBA image, each in its class colour (the masks' own size,
 * normally the image's). Null while loading, when the layer is off or there is no mask.
 */
export function useMaskImage(inspection: Inspection, enabled: boolean) {
  const withMasks = findingsWithMasks(inspection);
  return useQuery({
    queryKey: ['inspection', inspection.id, 'viewer-masks', withMasks.length],
    enabled: enabled && withMasks.length > 0,
    staleTime: Infinity,
    gcTime: 2 * 60_000,
    queryFn: async (): Promise<ImageData | null> => {
      const first = withMasks[0]!;
      const size = first.rle ? { width: first.rle.size[1], height: first.rle.size[0] } : undefined;
      let out: ImageData | null = null;
      for (const f of withMasks) {
        const rgb = hexToRgb(classColor(f.classIndex));
        if (f.maskPng) {
          const img = await decodePng(base64Blob(f.maskPng), out ? { width: out.width, height: out.height } : size);
          out ??= new ImageData(img.width, img.height);
          tintMask(img.data, out.data, rgb);
        } else if (f.rle) {
          const m = rleToMask(f.rle);
          out ??= new ImageData(m.width, m.height);
          if (m.width !== out.width || m.height !== out.height) continue;
          for (let i = 0; i < m.data.length; i++) {
            if (!m.data[i]) continue;
            const o = i * 4;
            out.data[o] = rgb[0];
            out.data[o + 1] = rgb[1];
            out.data[o + 2] = rgb[2];
            out.data[o + 3] = 255;
          }
        }
      }
      return out;
    },
  });
}

/** The normalised anomaly map (0..255, 128 = the pixel threshold): from the inspection when it carries it, else `/inspections/{id}/anomaly/map.png`. */
export function useAnomalyMap(inspection: Inspection, enabled: boolean) {
  return useQuery({
    queryKey: ['inspection', inspection.id, 'viewer-anomaly-map'],
    enabled: enabled && !!inspection.anomaly,
    staleTime: Infinity,
    gcTime: 2 * 60_000,
    queryFn: async ({ signal }): Promise<ByteMap> => {
      const png = inspection.anomaly?.mapPng ? base64Blob(inspection.anomaly.mapPng) : await getBlob(`/inspections/${inspection.id}/anomaly/map.png`, signal);
      return grayOf(await decodePng(png));
    },
  });
}

/** An explanation's float heatmap (`.../heatmap.npy`) scaled to 8 bits as the server draws it; for colormaps other than the stored one. */
export function useHeatmapBytes(npyPath: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['blob-npy', npyPath],
    enabled: enabled && !!npyPath,
    staleTime: Infinity,
    gcTime: 2 * 60_000,
    queryFn: async ({ signal }): Promise<ByteMap> => {
      const map = parseNpy(await (await getBlob(npyPath!, signal)).arrayBuffer());
      return { width: map.width, height: map.height, values: mapToBytes(map) };
    },
  });
}
