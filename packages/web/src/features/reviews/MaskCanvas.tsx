/**
 * The image with the mask being corrected and the predicted boxes over it. Painting with
 * pointer events (mouse, pen and touch alike; `touch-action: none` keeps the page from
 * scrolling under a finger), a circle under the pointer showing the brush's size, and
 * redraws of only the rectangle a stroke touched.
 */
import { useEffect, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { cn } from '../../shared/lib/cn.ts';
import type { MaskEditor, Rect, Tool } from './mask-brush.ts';

/** The mask's colour (RGBA, alpha applied by the canvas's opacity). */
const MASK_RGB = [236, 72, 153] as const;

/** Props of {@link MaskCanvas}. */
export interface MaskCanvasProps {
  imageUrl: string | undefined;
  width: number;
  height: number;
  /** The editor of this item's mask; null: show the image and boxes only. */
  editor: MaskEditor | null;
  tool: Tool;
  /** Brush radius in image pixels. */
  radius: number;
  /** 0..1. */
  opacity: number;
  boxes: { label: string; box: [number, number, number, number] }[];
  /** Bumped by the page after undo, redo or clear: redraw everything. */
  revision: number;
  /** A stroke changed the mask. */
  onEdit: () => void;
  label: string;
}

/** The image, the editable mask and the boxes. */
export function MaskCanvas({ imageUrl, width, height, editor, tool, radius, opacity, boxes, revision, onEdit, label }: MaskCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imageData = useRef<ImageData | null>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number; scale: number } | null>(null);

  const draw = (rect: Rect | null) => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !editor) return;
    const { mask } = editor;
    if (!imageData.current || imageData.current.width !== mask.width || imageData.current.height !== mask.height) {
      imageData.current = ctx.createImageData(mask.width, mask.height);
      rect = null;
    }
    const r = rect ?? { x0: 0, y0: 0, x1: mask.width, y1: mask.height };
    const px = imageData.current.data;
    for (let y = r.y0; y < r.y1; y++) {
      for (let x = r.x0; x < r.x1; x++) {
        const k = y * mask.width + x;
        const o = k * 4;
        const on = mask.data[k] ? 1 : 0;
        px[o] = MASK_RGB[0];
        px[o + 1] = MASK_RGB[1];
        px[o + 2] = MASK_RGB[2];
        px[o + 3] = on ? 255 : 0;
      }
    }
    ctx.putImageData(imageData.current, 0, 0, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
  };

  // a new item or an undo / redo / clear: redraw all
  useEffect(() => {
    imageData.current = null;
    draw(null);
    // draw reads the current editor and mask
  }, [editor, revision]);

  const toImage = (e: ReactPointerEvent<HTMLCanvasElement> | PointerEvent) => {
    const rect = canvasRef.current!.getBoundingClientRect();
    const scale = rect.width / width;
    return { x: (e.clientX - rect.left) / scale, y: (e.clientY - rect.top) / scale, cx: e.clientX - rect.left, cy: e.clientY - rect.top, scale };
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!editor || !e.isPrimary || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    editor.begin(tool, radius);
    const p = toImage(e);
    draw(editor.moveTo(p.x, p.y));
    setCursor({ x: p.cx, y: p.cy, scale: p.scale });
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!e.isPrimary) return;
    const p = toImage(e);
    setCursor({ x: p.cx, y: p.cy, scale: p.scale });
    if (!editor?.painting) return;
    const events = typeof e.nativeEvent.getCoalescedEvents === 'function' ? e.nativeEvent.getCoalescedEvents() : [];
    let dirty: Rect | null = null;
    for (const ev of events.length ? events : [e.nativeEvent]) {
      const q = toImage(ev);
      const r = editor.moveTo(q.x, q.y);
      if (r) dirty = dirty ? { x0: Math.min(dirty.x0, r.x0), y0: Math.min(dirty.y0, r.y0), x1: Math.max(dirty.x1, r.x1), y1: Math.max(dirty.y1, r.y1) } : r;
    }
    if (dirty) draw(dirty);
  };

  const finish = () => {
    if (editor?.painting && editor.end()) onEdit();
  };

  const d = cursor ? Math.max(4, 2 * radius * cursor.scale) : 0;
  return (
    <div className="relative mx-auto w-full select-none overflow-hidden rounded-md border bg-muted" style={{ aspectRatio: `${width} / ${height}`, maxWidth: `calc(min(70vh, 40rem) * ${width / height})` }}>
      {imageUrl ? <img src={imageUrl} alt={label} className="absolute inset-0 size-full object-fill [image-rendering:pixelated]" draggable={false} /> : null}
      <canvas
        ref={canvasRef}
        width={width}
        height={height}
        data-testid="mask-canvas"
        aria-label={editor ? `Mask editor: drag to ${tool === 'brush' ? 'paint defect pixels' : 'erase defect pixels'}` : undefined}
        aria-hidden={editor ? undefined : true}
        role={editor ? 'img' : undefined}
        className={cn('absolute inset-0 size-full touch-none [image-rendering:pixelated]', editor ? 'cursor-crosshair' : 'pointer-events-none')}
        style={{ opacity }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finish}
        onPointerCancel={finish}
        onLostPointerCapture={finish}
        onPointerLeave={() => setCursor(null)}
      />
      <svg className="pointer-events-none absolute inset-0 size-full" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
        {boxes.map((b, k) => (
          <g key={k}>
            <rect x={b.box[0]} y={b.box[1]} width={b.box[2] - b.box[0]} height={b.box[3] - b.box[1]} fill="none" stroke="#facc15" strokeWidth={Math.max(1, width / 300)} vectorEffect="non-scaling-stroke" />
          </g>
        ))}
      </svg>
      {boxes.map((b, k) => (
        <span key={k} className="pointer-events-none absolute rounded-sm bg-yellow-400 px-1 text-[10px] font-semibold leading-4 text-black" style={{ left: `${(b.box[0] / width) * 100}%`, top: `${(b.box[1] / height) * 100}%` }} aria-hidden="true">
          {b.label}
        </span>
      ))}
      {cursor && editor ? (
        <div
          data-testid="brush-preview"
          aria-hidden="true"
          className={cn('pointer-events-none absolute rounded-full border-2 shadow-[0_0_0_1px_rgba(0,0,0,0.8)]', tool === 'brush' ? 'border-white bg-pink-500/20' : 'border-dashed border-white')}
          style={{ left: cursor.x - d / 2, top: cursor.y - d / 2, width: d, height: d }}
        />
      ) : null}
    </div>
  );
}
