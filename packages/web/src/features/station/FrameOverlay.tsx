/**
 * A captured frame with its verdict on top: the findings' masks (tinted in their class
 * colours, through the viewer's mask rasters) and boxes with labels, and a large verdict
 * banner. A finding cited by an answer is drawn thicker and the others fade, without their labels.
 */
import type { components } from '@xai-qc/client';
import { useEffect, useRef } from 'react';
import { cn } from '../../shared/lib/cn.ts';
import { percent } from '../../shared/lib/format.ts';
import { classColor, textOn } from '../../shared/viewer/index.ts';
import { findingsWithMasks, useMaskImage } from '../../shared/viewer/layer-rasters.ts';
import { frameWidth } from './camera.ts';

type Inspection = components['schemas']['Inspection'];

function MaskCanvas({ image, opacity }: { image: ImageData; opacity: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d')?.putImageData(image, 0, 0);
  }, [image]);
  return <canvas ref={ref} width={image.width} height={image.height} aria-hidden="true" className="absolute inset-0 size-full" style={{ opacity }} />;
}

/** Props of {@link FrameOverlay}. */
export interface FrameOverlayProps {
  /** The frame's object URL (local, or the stored image's). */
  url: string;
  inspection: Inspection;
  /** A finding to single out (its index), or null. */
  highlight: number | null;
  /** The tallest the frame may be (a CSS length). */
  maxHeight?: string;
}

/** The frame with boxes, masks and the verdict. */
export function FrameOverlay({ url, inspection: r, highlight, maxHeight = '62dvh' }: FrameOverlayProps) {
  const { width, height } = r.image;
  const masks = useMaskImage(r, findingsWithMasks(r).length > 0);
  const reject = r.verdict === 'reject';
  const fade = (i: number) => (highlight === null || highlight === i ? 1 : 0.35);
  return (
    <div className="relative mx-auto overflow-hidden rounded-lg border bg-black" style={{ aspectRatio: `${width} / ${height}`, width: frameWidth(width / height, maxHeight) }} data-testid="station-frame">
      <img src={url} alt={`Captured frame ${r.image.name ?? ''}: ${reject ? 'reject' : 'pass'}, ${r.label}`.trim()} className="absolute inset-0 size-full max-w-none" draggable={false} />
      {masks.data ? <MaskCanvas image={masks.data} opacity={highlight === null ? 0.45 : 0.3} /> : null}
      <svg className="pointer-events-none absolute inset-0 size-full" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
        {r.findings.map((f, i) =>
          f.box ? (
            <g key={i} opacity={fade(i)}>
              {highlight === i ? (
                <rect x={Math.min(f.box[0], f.box[2])} y={Math.min(f.box[1], f.box[3])} width={Math.abs(f.box[2] - f.box[0])} height={Math.abs(f.box[3] - f.box[1])} fill="none" stroke="#fff" strokeWidth={7} vectorEffect="non-scaling-stroke" />
              ) : null}
              <rect
                x={Math.min(f.box[0], f.box[2])}
                y={Math.min(f.box[1], f.box[3])}
                width={Math.abs(f.box[2] - f.box[0])}
                height={Math.abs(f.box[3] - f.box[1])}
                fill="none"
                stroke={classColor(f.classIndex)}
                strokeWidth={highlight === i ? 4 : 2.5}
                vectorEffect="non-scaling-stroke"
              />
            </g>
          ) : null,
        )}
      </svg>
      {/* Labels of faded findings are left out, not faded: text at a third of its opacity over a photograph fails WCAG contrast. */}
      {r.findings.map((f, i) =>
        f.box && fade(i) === 1 ? (
          <span
            key={i}
            aria-hidden="true"
            className="pointer-events-none absolute -translate-y-full whitespace-nowrap rounded-sm px-1 text-xs font-semibold leading-5"
            style={{ left: `${(Math.min(f.box[0], f.box[2]) / width) * 100}%`, top: `max(1.25rem, ${(Math.min(f.box[1], f.box[3]) / height) * 100}%)`, background: classColor(f.classIndex), color: textOn(classColor(f.classIndex)) }}
          >
            {f.label} {Math.round(f.score * 100)} %
          </span>
        ) : null,
      )}
      <div
        className={cn('absolute bottom-3 left-3 flex items-baseline gap-3 rounded-md px-4 py-2 shadow-lg', reject ? 'bg-destructive text-destructive-foreground' : 'bg-success text-background')}
        data-testid="station-verdict-banner"
      >
        <span className="text-2xl font-bold uppercase tracking-wide">{reject ? 'Reject' : 'Pass'}</span>
        <span className="text-base font-medium">
          {r.label} {percent(r.score, 0)}
        </span>
      </div>
    </div>
  );
}
