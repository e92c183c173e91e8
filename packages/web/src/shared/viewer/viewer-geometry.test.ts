import { describe, expect, it } from 'vitest';
import {
  boxToImagePercent,
  boxToScreen,
  clampView,
  FIT_VIEW,
  fitScale,
  imageToScreen,
  labelPosition,
  layerPixelAt,
  layerScale,
  MIN_ZOOM,
  panBy,
  pixelZoomPercent,
  screenToImage,
  viewAtPixelScale,
  viewTransform,
  zoomAbout,
  zoomLimits,
} from './viewer-geometry.ts';
import type { View } from './viewer-geometry.ts';

const image = { width: 400, height: 200 };
const viewport = { width: 800, height: 800 };

describe('fit to view', () => {
  it('fits the limiting side and centres the other', () => {
    expect(fitScale(image, viewport)).toBe(2);
    const t = viewTransform(FIT_VIEW, image, viewport);
    expect(t).toEqual({ scale: 2, tx: 0, ty: 200 });
    expect(imageToScreen({ x: 0, y: 0 }, t)).toEqual({ x: 0, y: 200 });
    expect(imageToScreen({ x: 400, y: 200 }, t)).toEqual({ x: 800, y: 600 });
  });

  it('is 0 for an empty image or viewport', () => {
    expect(fitScale({ width: 0, height: 10 }, viewport)).toBe(0);
    expect(fitScale(image, { width: 10, height: 0 })).toBe(0);
  });
});

describe('image <-> screen', () => {
  it('round-trips points at any view', () => {
    const view: View = { zoom: 3.7, center: { x: 0.31, y: 0.62 } };
    const t = viewTransform(view, image, viewport);
    for (const p of [{ x: 0, y: 0 }, { x: 123.5, y: 77.25 }, { x: 400, y: 200 }]) {
      const back = screenToImage(imageToScreen(p, t), t);
      expect(back.x).toBeCloseTo(p.x, 9);
      expect(back.y).toBeCloseTo(p.y, 9);
    }
  });

  it('puts the view centre at the viewport centre', () => {
    const view: View = { zoom: 4, center: { x: 0.25, y: 0.75 } };
    const t = viewTransform(view, image, viewport);
    const c = imageToScreen({ x: 0.25 * 400, y: 0.75 * 200 }, t);
    expect(c.x).toBeCloseTo(400, 9);
    expect(c.y).toBeCloseTo(400, 9);
  });
});

describe('zoom about a point', () => {
  it('keeps the image point under the pointer where it was', () => {
    const at = { x: 600, y: 350 };
    const before = viewTransform(FIT_VIEW, image, viewport);
    const under = screenToImage(at, before);
    const view = zoomAbout(FIT_VIEW, 3, image, viewport, at);
    expect(view.zoom).toBe(3);
    const after = imageToScreen(under, viewTransform(view, image, viewport));
    expect(after.x).toBeCloseTo(at.x, 9);
    expect(after.y).toBeCloseTo(at.y, 9);
  });

  it('zooms about the viewport centre without a point, and zoom in then out returns to the start', () => {
    const a = zoomAbout(FIT_VIEW, 1.25, image, viewport);
    expect(a.center).toEqual({ x: 0.5, y: 0.5 });
    const b = zoomAbout(zoomAbout({ zoom: 3, center: { x: 0.4, y: 0.5 } }, 1.25, image, viewport), 1 / 1.25, image, viewport);
    expect(b.zoom).toBeCloseTo(3, 9);
    expect(b.center.x).toBeCloseTo(0.4, 9);
  });

  it('stays inside the zoom limits', () => {
    const { max } = zoomLimits(image, viewport);
    expect(max).toBe(16); // 32 screen px per image px at a fit scale of 2
    expect(zoomAbout(FIT_VIEW, 1000, image, viewport).zoom).toBe(max);
    expect(zoomAbout(FIT_VIEW, 0.001, image, viewport).zoom).toBe(MIN_ZOOM);
    expect(zoomLimits({ width: 10000, height: 10000 }, { width: 100, height: 100 }).max).toBe(3200);
  });

  it('ignores a factor that is not positive', () => {
    expect(zoomAbout(FIT_VIEW, 0, image, viewport)).toBe(FIT_VIEW);
    expect(zoomAbout(FIT_VIEW, Number.NaN, image, viewport)).toBe(FIT_VIEW);
  });
});

describe('clamping and pan', () => {
  it('centres an axis where the image is smaller than the viewport', () => {
    // at fit the image is 800 x 400 on screen: x fills the viewport, y is centred
    expect(clampView({ zoom: 1, center: { x: 0.1, y: 0.9 } }, image, viewport).center).toEqual({ x: 0.5, y: 0.5 });
  });

  it('opens no gap between the image edge and the viewport edge when zoomed in', () => {
    const v = clampView({ zoom: 4, center: { x: 0, y: 1 } }, image, viewport);
    const t = viewTransform(v, image, viewport);
    expect(imageToScreen({ x: 0, y: 0 }, t).x).toBeCloseTo(0, 9);
    expect(imageToScreen({ x: 0, y: 200 }, t).y).toBeCloseTo(800, 9);
  });

  it('pans by screen pixels and stops at the edges', () => {
    const start: View = { zoom: 4, center: { x: 0.5, y: 0.5 } };
    const moved = panBy(start, 100, 0, image, viewport);
    const t0 = viewTransform(start, image, viewport);
    const t1 = viewTransform(moved, image, viewport);
    expect(t1.tx - t0.tx).toBeCloseTo(100, 9);
    const far = panBy(start, 1e6, 1e6, image, viewport);
    const tf = viewTransform(far, image, viewport);
    expect(tf.tx).toBeCloseTo(0, 9);
    expect(tf.ty).toBeCloseTo(0, 9);
  });

  it('repairs a view with non-finite numbers', () => {
    expect(clampView({ zoom: Number.NaN, center: { x: Number.NaN, y: 0.5 } }, image, viewport)).toEqual({ zoom: 1, center: { x: 0.5, y: 0.5 } });
  });
});

describe('the view stays put when switching images', () => {
  it('shows the same relative region of an image of another size', () => {
    const view = zoomAbout(FIT_VIEW, 3, image, viewport, { x: 200, y: 300 });
    const other = { width: 1600, height: 800 }; // same aspect, 4x the pixels
    const kept = clampView(view, other, viewport);
    expect(kept.zoom).toBeCloseTo(view.zoom, 9);
    expect(kept.center.x).toBeCloseTo(view.center.x, 9);
    expect(kept.center.y).toBeCloseTo(view.center.y, 9);
    // the same fraction of each image is at the viewport centre
    const c1 = screenToImage({ x: 400, y: 400 }, viewTransform(view, image, viewport));
    const c2 = screenToImage({ x: 400, y: 400 }, viewTransform(kept, other, viewport));
    expect(c2.x / other.width).toBeCloseTo(c1.x / image.width, 9);
  });
});

describe('pixel zoom', () => {
  it('reports and sets screen pixels per image pixel', () => {
    expect(pixelZoomPercent(FIT_VIEW, image, viewport)).toBe(200);
    const actual = viewAtPixelScale(FIT_VIEW, 1, image, viewport);
    expect(actual.zoom).toBe(0.5);
    expect(pixelZoomPercent(actual, image, viewport)).toBe(100);
  });
});

describe('overlay placement', () => {
  it('places a box on the screen at the view', () => {
    const t = viewTransform(FIT_VIEW, image, viewport);
    expect(boxToScreen([10, 20, 110, 70], t)).toEqual({ left: 20, top: 240, width: 200, height: 100 });
    // corners given the other way round make the same rectangle
    expect(boxToScreen([110, 70, 10, 20], t)).toEqual({ left: 20, top: 240, width: 200, height: 100 });
  });

  it('places a box as image percentages, clipped to the image', () => {
    expect(boxToImagePercent([100, 50, 200, 100], image)).toEqual({ left: 25, top: 25, width: 25, height: 25 });
    expect(boxToImagePercent([-10, -10, 500, 100], image)).toEqual({ left: 0, top: 0, width: 100, height: 50 });
  });

  it('stretches a layer at the model size over the image', () => {
    expect(layerScale({ width: 100, height: 50 }, image)).toEqual({ sx: 4, sy: 4 });
    expect(layerPixelAt({ x: 399.9, y: 0 }, { width: 100, height: 50 }, image)).toEqual({ x: 99, y: 0 });
    expect(layerPixelAt({ x: 400, y: 0 }, { width: 100, height: 50 }, image)).toBeNull();
    expect(layerPixelAt({ x: -0.1, y: 3 }, { width: 100, height: 50 }, image)).toBeNull();
  });

  it('puts a label above its box, or inside when there is no room, and inside the viewport', () => {
    expect(labelPosition({ left: 50, top: 40, width: 10, height: 10 }, 20, viewport)).toEqual({ x: 50, y: 20 });
    expect(labelPosition({ left: 50, top: 5, width: 10, height: 10 }, 20, viewport)).toEqual({ x: 50, y: 5 });
    expect(labelPosition({ left: 790, top: 100, width: 10, height: 10 }, 20, viewport, 60)).toEqual({ x: 740, y: 80 });
    expect(labelPosition({ left: -30, top: 100, width: 100, height: 10 }, 20, viewport, 60)).toEqual({ x: 0, y: 80 });
  });
});
