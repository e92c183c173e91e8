import { describe, expect, it } from 'vitest';
import { MaskEditor, clampRadius, stampDisc, stampSegment } from './mask-brush.ts';
import { emptyMask, maskArea } from './mask-codec.ts';

const on = (m: { width: number; data: Uint8Array }, x: number, y: number) => m.data[y * m.width + x] === 1;

describe('disc brush', () => {
  it('stamps a disc of pixels whose centres lie within the radius', () => {
    const m = emptyMask(20, 20);
    const rect = stampDisc(m, 10, 10, 3, 1);
    expect(rect).not.toBeNull();
    // a radius-3 disc covers about pi r^2 = 28 pixels
    expect(maskArea(m)).toBeGreaterThanOrEqual(24);
    expect(maskArea(m)).toBeLessThanOrEqual(32);
    expect(on(m, 10, 10)).toBe(true);
    expect(on(m, 7, 10)).toBe(true); // centre 7.5 is 2.5 away
    expect(on(m, 6, 10)).toBe(false); // centre 6.5 is 3.5 away
    expect(on(m, 7, 7)).toBe(false); // the corner of the square is outside the disc
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) if (on(m, x, y)) expect(x >= rect!.x0 && x < rect!.x1 && y >= rect!.y0 && y < rect!.y1).toBe(true);
  });

  it('clips at the image border and misses an image it does not touch', () => {
    const m = emptyMask(8, 8);
    const r = stampDisc(m, 0, 0, 4, 1);
    expect(r).toEqual({ x0: 0, y0: 0, x1: 5, y1: 5 });
    expect(stampDisc(m, -20, -20, 3, 1)).toBeNull();
  });

  it('erases with value 0', () => {
    const m = emptyMask(10, 10);
    m.data.fill(1);
    stampDisc(m, 5, 5, 2, 0);
    expect(on(m, 5, 5)).toBe(false);
    expect(on(m, 0, 0)).toBe(true);
  });

  it('leaves no gaps along a fast stroke', () => {
    const m = emptyMask(100, 10);
    stampSegment(m, 2, 5, 97, 5, 2, 1);
    for (let x = 2; x < 97; x++) expect(on(m, x, 5)).toBe(true);
  });

  it('clamps the radius to whole pixels within bounds', () => {
    expect(clampRadius(0)).toBe(1);
    expect(clampRadius(4.4)).toBe(4);
    expect(clampRadius(1000)).toBe(128);
  });
});

describe('MaskEditor undo and redo', () => {
  it('undoes and redoes whole strokes, brush and eraser', () => {
    const m = emptyMask(40, 40);
    const ed = new MaskEditor(m);
    ed.begin('brush', 3);
    ed.moveTo(5, 5);
    ed.moveTo(30, 5);
    expect(ed.end()).toBe(true);
    const afterBrush = m.data.slice();
    ed.begin('eraser', 5);
    ed.moveTo(15, 5);
    expect(ed.end()).toBe(true);
    expect(on(m, 15, 5)).toBe(false);
    expect(ed.undoDepth).toBe(2);

    expect(ed.undo()).not.toBeNull();
    expect(m.data).toEqual(afterBrush);
    expect(ed.undo()).not.toBeNull();
    expect(maskArea(m)).toBe(0);
    expect(ed.undo()).toBeNull();

    ed.redo();
    expect(m.data).toEqual(afterBrush);
    ed.redo();
    expect(on(m, 15, 5)).toBe(false);
    expect(ed.redoDepth).toBe(0);
  });

  it('records nothing for a stroke that changed no pixel, and a new edit drops the redo stack', () => {
    const m = emptyMask(10, 10);
    const ed = new MaskEditor(m);
    ed.begin('eraser', 2);
    ed.moveTo(5, 5);
    expect(ed.end()).toBe(false);
    expect(ed.undoDepth).toBe(0);
    ed.begin('brush', 2);
    ed.moveTo(5, 5);
    ed.end();
    ed.undo();
    expect(ed.redoDepth).toBe(1);
    ed.begin('brush', 1);
    ed.moveTo(1, 1);
    ed.end();
    expect(ed.redoDepth).toBe(0);
  });

  it('clears as one undoable edit and keeps at most `limit` edits', () => {
    const m = emptyMask(10, 10);
    const ed = new MaskEditor(m, 3);
    for (let i = 0; i < 5; i++) {
      ed.begin('brush', 1);
      ed.moveTo(i * 2 + 0.5, 0.5);
      ed.end();
    }
    expect(ed.undoDepth).toBe(3);
    const before = m.data.slice();
    expect(ed.fill(0)).toBe(true);
    expect(maskArea(m)).toBe(0);
    expect(ed.fill(0)).toBe(false);
    ed.undo();
    expect(m.data).toEqual(before);
  });

  it('undo during an open stroke closes it first and takes it back', () => {
    const m = emptyMask(10, 10);
    const ed = new MaskEditor(m);
    ed.begin('brush', 2);
    ed.moveTo(5, 5);
    expect(ed.undo()).not.toBeNull();
    expect(maskArea(m)).toBe(0);
    expect(ed.painting).toBe(false);
  });
});
