/**
 * Mask painting: a disc brush (sets pixels) and eraser (clears them) stamped along a pointer
 * stroke into a {@link Mask}, with an undo / redo history of whole strokes. Each history entry
 * keeps only the rectangle the stroke touched (before and after), so a long session of small
 * corrections on a large image stays small in memory.
 */
import type { Mask } from './mask-codec.ts';

/** A rectangle of pixels, `x0 <= x < x1`, `y0 <= y < y1`. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Brush paints defect pixels; eraser clears them. */
export type Tool = 'brush' | 'eraser';

/** Smallest and largest brush radius in image pixels. */
export const MIN_RADIUS = 1;
/** Largest brush radius in image pixels. */
export const MAX_RADIUS = 128;

/** Clamps a radius to [MIN_RADIUS, MAX_RADIUS] and rounds it to a whole pixel. */
export function clampRadius(r: number): number {
  return Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, Math.round(r)));
}

/** The union of two rectangles (either may be null). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/**
 * Stamps a disc of `radius` centred on (cx, cy) (image pixels, fractional allowed): pixels
 * whose centre lies within the radius get `value` (1 brush, 0 eraser).
 * @returns the rectangle that was inside the image and the disc's bounds, or null when the disc misses the image.
 */
export function stampDisc(mask: Mask, cx: number, cy: number, radius: number, value: 0 | 1): Rect | null {
  const { width, height, data } = mask;
  const r = Math.max(0.5, radius);
  const x0 = Math.max(0, Math.floor(cx - r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const x1 = Math.min(width, Math.ceil(cx + r) + 1);
  const y1 = Math.min(height, Math.ceil(cy + r) + 1);
  if (x0 >= x1 || y0 >= y1) return null;
  const r2 = r * r;
  let any = false;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy <= r2) {
        data[y * width + x] = value;
        any = true;
      }
    }
  }
  return any ? { x0, y0, x1, y1 } : null;
}

/**
 * Stamps discs along the segment from (x0, y0) to (x1, y1), spaced at most a quarter of the
 * radius (at least one pixel) apart, so a fast stroke leaves no gaps.
 * @returns the touched rectangle, or null.
 */
export function stampSegment(mask: Mask, x0: number, y0: number, x1: number, y1: number, radius: number, value: 0 | 1): Rect | null {
  const dist = Math.hypot(x1 - x0, y1 - y0);
  const step = Math.max(1, radius / 4);
  const n = Math.max(1, Math.ceil(dist / step));
  let dirty: Rect | null = null;
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    dirty = unionRect(dirty, stampDisc(mask, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, radius, value));
  }
  return dirty;
}

interface Edit {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

function copyRect(mask: Mask, rect: Rect): Uint8Array {
  const w = rect.x1 - rect.x0;
  const out = new Uint8Array(w * (rect.y1 - rect.y0));
  for (let y = rect.y0; y < rect.y1; y++) out.set(mask.data.subarray(y * mask.width + rect.x0, y * mask.width + rect.x1), (y - rect.y0) * w);
  return out;
}

function pasteRect(mask: Mask, rect: Rect, src: Uint8Array): void {
  const w = rect.x1 - rect.x0;
  for (let y = rect.y0; y < rect.y1; y++) mask.data.set(src.subarray((y - rect.y0) * w, (y - rect.y0 + 1) * w), y * mask.width + rect.x0);
}

/**
 * A mask being edited, with undo and redo of whole strokes (and of whole-mask changes such as
 * clearing). A stroke is `begin()`, then `moveTo(x, y)` for each pointer position, then `end()`.
 */
export class MaskEditor {
  /** The mask being edited (changed in place). */
  readonly mask: Mask;
  private readonly limit: number;
  private undoStack: Edit[] = [];
  private redoStack: Edit[] = [];
  private stroke: { before: Uint8Array; last: [number, number] | null; dirty: Rect | null; value: 0 | 1; radius: number } | null = null;

  /** @param limit how many edits undo can take back (oldest dropped first; default 100). */
  constructor(mask: Mask, limit = 100) {
    this.mask = mask;
    this.limit = limit;
  }

  /** True while a stroke is open. */
  get painting(): boolean {
    return this.stroke !== null;
  }

  /** Edits that undo can take back. */
  get undoDepth(): number {
    return this.undoStack.length;
  }

  /** Edits that redo can put back. */
  get redoDepth(): number {
    return this.redoStack.length;
  }

  /** Opens a stroke of `tool` with `radius` (image pixels). An open stroke is ended first. */
  begin(tool: Tool, radius: number): void {
    if (this.stroke) this.end();
    this.stroke = { before: this.mask.data.slice(), last: null, dirty: null, value: tool === 'brush' ? 1 : 0, radius: clampRadius(radius) };
  }

  /**
   * Paints from the stroke's last position to (x, y) (the first call stamps one disc).
   * @returns the rectangle changed by this call (for redrawing), or null.
   */
  moveTo(x: number, y: number): Rect | null {
    const s = this.stroke;
    if (!s) return null;
    const [lx, ly] = s.last ?? [x, y];
    const r = stampSegment(this.mask, lx, ly, x, y, s.radius, s.value);
    s.last = [x, y];
    s.dirty = unionRect(s.dirty, r);
    return r;
  }

  /**
   * Closes the stroke; records it for undo when it changed a pixel.
   * @returns true when the stroke changed the mask.
   */
  end(): boolean {
    const s = this.stroke;
    this.stroke = null;
    if (!s || !s.dirty) return false;
    const before = copyRect({ ...this.mask, data: s.before }, s.dirty);
    const after = copyRect(this.mask, s.dirty);
    if (before.every((v, i) => v === after[i])) return false;
    this.record({ rect: s.dirty, before, after });
    return true;
  }

  /** Sets every pixel to `value` (clear with 0) as one undoable edit. @returns true when a pixel changed. */
  fill(value: 0 | 1): boolean {
    if (this.stroke) this.end();
    const rect = { x0: 0, y0: 0, x1: this.mask.width, y1: this.mask.height };
    const before = this.mask.data.slice();
    if (before.every((v) => v === value)) return false;
    this.mask.data.fill(value);
    this.record({ rect, before, after: this.mask.data.slice() });
    return true;
  }

  /** Takes back the last edit. @returns the rectangle to redraw, or null when there is nothing to undo. */
  undo(): Rect | null {
    if (this.stroke) this.end();
    const e = this.undoStack.pop();
    if (!e) return null;
    pasteRect(this.mask, e.rect, e.before);
    this.redoStack.push(e);
    return e.rect;
  }

  /** Puts back the last undone edit. @returns the rectangle to redraw, or null. */
  redo(): Rect | null {
    const e = this.redoStack.pop();
    if (!e) return null;
    pasteRect(this.mask, e.rect, e.after);
    this.undoStack.push(e);
    return e.rect;
  }

  private record(e: Edit): void {
    this.undoStack.push(e);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
  }
}
