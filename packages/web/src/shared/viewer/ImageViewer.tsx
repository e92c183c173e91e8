/**
 * The image viewer of the Inspect and inspection pages: the inspected image with its layers
 * (findings' boxes and masks in per-class colours, the heatmap of any explanation method,
 * the anomaly map), each with a switch, an opacity slider and, for maps, a colormap;
 * zoom (wheel, pinch, buttons, + - 0 keys) and pan (drag, arrow keys) that stay put when
 * switching images or layers; brightness and contrast of the image alone.
 *
 * Settings live in a store per `stateKey` (viewer-state.ts), not in the component.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@xai-qc/client';
import { Maximize, Minus, Plus, RotateCcw, Scan } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, PointerEvent as ReactPointerEvent, ReactNode, RefObject } from 'react';
import { api } from '../../app/api.ts';
import { cn } from '../lib/cn.ts';
import { useApiBlobUrl } from '../lib/use-api-blob.ts';
import { Button } from '../ui/button.tsx';
import { Select } from '../ui/form.tsx';
import { Slider } from '../ui/slider.tsx';
import { ErrorMessage, Skeleton, Spinner } from '../ui/states.tsx';
import { Switch } from '../ui/switch.tsx';
import { colorize, colormapGradient, COLORMAP_LABELS, COLORMAPS } from './colormaps.ts';
import type { Colormap } from './colormaps.ts';
import { findingsWithMasks, useAnomalyMap, useHeatmapBytes, useMaskImage } from './layer-rasters.ts';
import type { ByteMap } from './layer-rasters.ts';
import { classColor, textOn } from './raster.ts';
import { boxToScreen, clampView, labelPosition, layerPixelAt, panBy, screenToImage, pixelZoomPercent, viewAtPixelScale, viewTransform, zoomAbout, ZOOM_STEP, FIT_VIEW } from './viewer-geometry.ts';
import type { Point, Size } from './viewer-geometry.ts';
import { DEFAULT_SETTINGS, useViewerSettings, withLayer } from './viewer-state.ts';
import type { LayerId, ViewerSettings } from './viewer-state.ts';

type Inspection = components['schemas']['Inspection'];
type Explanation = components['schemas']['Explanation'];
type ExplanationAggregate = components['schemas']['ExplanationAggregate'];

/** Props of {@link ImageViewer}. */
export interface ImageViewerProps {
  /** The inspection shown (its image, findings and anomaly map). */
  inspection: Inspection;
  /** Which settings store the viewer uses (zoom, pan and layers are kept per key). */
  stateKey: string;
  /** What to say when no heatmap exists yet (e.g. where to compute one). */
  noHeatmapHint?: ReactNode;
  /** Extra controls at the right of the toolbar (e.g. a link to the inspection page). */
  toolbarExtra?: ReactNode;
  className?: string;
}

/** A heatmap the layer can show: one stored explanation or the aggregate. */
interface HeatmapSource {
  key: string;
  id: string;
  method: string;
  label: string;
  storedColormap: string;
  pngPath: string;
  npyPath: string;
}

function heatmapSources(list: { items: Explanation[]; aggregates: ExplanationAggregate[] } | undefined): HeatmapSource[] {
  if (!list) return [];
  const byMethod = new Map<string, HeatmapSource>();
  const newest = [...list.items].filter((e) => !e.degenerate).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const e of newest) {
    if (byMethod.has(e.method)) continue;
    byMethod.set(e.method, {
      key: e.method,
      id: e.id,
      method: e.method,
      label: e.target.label ? `${e.method} (${e.target.label})` : e.method,
      storedColormap: e.colormap,
      pngPath: `/explanations/${e.id}/heatmap.png`,
      npyPath: `/explanations/${e.id}/heatmap.npy`,
    });
  }
  const out = [...byMethod.values()].sort((a, b) => a.method.localeCompare(b.method));
  const agg = [...list.aggregates].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (agg) {
    out.unshift({
      key: 'aggregate',
      id: agg.id,
      method: 'aggregate',
      label: `Aggregate (consensus ${Math.round(agg.score * 100)} %)`,
      storedColormap: agg.colormap,
      pngPath: `/explanations/aggregates/${agg.id}/heatmap.png`,
      npyPath: `/explanations/aggregates/${agg.id}/heatmap.npy`,
    });
  }
  return out;
}

/** Puts 8-bit values through a colormap into a canvas stretched over the image. */
function MapCanvas({ map, colormap, opacity, label }: { map: ByteMap; colormap: Colormap; opacity: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const img = new ImageData(map.width, map.height);
    colorize(map.values, colormap, img.data);
    ctx.putImageData(img, 0, 0);
  }, [map, colormap]);
  return <canvas ref={ref} width={map.width} height={map.height} aria-label={label} role="img" className="absolute inset-0 size-full" style={{ opacity }} />;
}

/** An RGBA image (the tinted masks) in a canvas stretched over the image. */
function RgbaCanvas({ image, opacity, label }: { image: ImageData; opacity: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d')?.putImageData(image, 0, 0);
  }, [image]);
  return <canvas ref={ref} width={image.width} height={image.height} aria-label={label} role="img" className="absolute inset-0 size-full" style={{ opacity }} />;
}

function useElementSize<T extends HTMLElement>(): [RefObject<T | null>, Size] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      const r = entry!.contentRect;
      setSize((s) => (s.width === r.width && s.height === r.height ? s : { width: r.width, height: r.height }));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

/** The image viewer. */
export function ImageViewer({ inspection, stateKey, noHeatmapHint, toolbarExtra, className }: ImageViewerProps) {
  const [settings, setSettings] = useViewerSettings(stateKey);
  const image: Size = { width: inspection.image.width, height: inspection.image.height };
  const [viewportRef, viewport] = useElementSize<HTMLDivElement>();
  const view = clampView(settings.view, image, viewport);
  const t = viewTransform(view, image, viewport);
  const ready = t.scale > 0;
  const hintId = useId();

  const imageUrl = useApiBlobUrl(`/inspections/${inspection.id}/image`);
  const { layers } = settings;

  // explanations: the heatmap layer's choices
  const queryClient = useQueryClient();
  const explanations = useQuery({
    queryKey: ['explanations', inspection.id, 'viewer'],
    queryFn: async ({ signal }) => {
      const { data, error } = await api.GET('/api/xai-qc/inspections/{id}/explanations', { params: { path: { id: inspection.id } }, signal });
      if (error) throw error;
      return data as { items: Explanation[]; aggregates: ExplanationAggregate[] };
    },
  });
  const sources = useMemo(() => heatmapSources(explanations.data), [explanations.data]);
  const source = sources.find((s) => s.key === settings.heatmapMethod) ?? (settings.heatmapMethod === null ? sources[0] : undefined);

  // "show this heatmap" from the explanation panel: once the list holds the id
  const pending = settings.pendingHeatmapId;
  const refetched = useRef<string | null>(null);
  useEffect(() => {
    if (!pending || !explanations.data) return;
    const item = explanations.data.items.find((e) => e.id === pending);
    const agg = explanations.data.aggregates.find((a) => a.id === pending);
    if (item || agg) {
      setSettings((s) => ({ ...withLayer(s, 'heatmap', { visible: true }), heatmapMethod: item ? item.method : 'aggregate', pendingHeatmapId: null }));
    } else if (refetched.current !== pending) {
      refetched.current = pending;
      void queryClient.invalidateQueries({ queryKey: ['explanations', inspection.id, 'viewer'] });
    }
  }, [pending, explanations.data, inspection.id, queryClient, setSettings]);

  const heatmapOn = layers.heatmap.visible && !!source;
  const storedHeatmap = useApiBlobUrl(heatmapOn && layers.heatmap.colormap === 'stored' ? source.pngPath : null);
  const heatmapBytes = useHeatmapBytes(source?.npyPath ?? null, heatmapOn && layers.heatmap.colormap !== 'stored');
  const hasAnomaly = !!inspection.anomaly;
  const anomalyMap = useAnomalyMap(inspection, layers.anomaly.visible && hasAnomaly);
  const maskFindings = findingsWithMasks(inspection);
  const masks = useMaskImage(inspection, layers.masks.visible);
  const boxFindings = inspection.findings.filter((f) => f.box);

  const set = setSettings;
  const setView = (update: (v: ViewerSettings['view']) => ViewerSettings['view']) => set((s) => ({ ...s, view: update(clampView(s.view, image, viewport)) }));
  const zoomBy = (factor: number, at?: Point) => setView((v) => zoomAbout(v, factor, image, viewport, at));

  // wheel zoom: a native listener, so the page does not scroll
  const zoomRef = useRef(zoomBy);
  zoomRef.current = zoomBy;
  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomRef.current(Math.exp(-dy * 0.0015), { x: e.clientX - r.left, y: e.clientY - r.top });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [viewportRef]);

  // drag to pan, two fingers to pinch
  const pointers = useRef(new Map<number, Point>());
  const [dragging, setDragging] = useState(false);
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    setDragging(true);
  };
  const [hover, setHover] = useState<Point | null>(null);
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (ready && e.pointerType === 'mouse') {
      const r = e.currentTarget.getBoundingClientRect();
      const p = screenToImage({ x: e.clientX - r.left, y: e.clientY - r.top }, t);
      const inside = p.x >= 0 && p.y >= 0 && p.x < image.width && p.y < image.height;
      const px = inside ? { x: Math.floor(p.x), y: Math.floor(p.y) } : null;
      setHover((h) => (h?.x === px?.x && h?.y === px?.y ? h : px));
    }
    const prev = pointers.current.get(e.pointerId);
    if (!prev) return;
    const now = { x: e.clientX, y: e.clientY };
    if (pointers.current.size === 2) {
      const other = [...pointers.current.entries()].find(([id]) => id !== e.pointerId)![1];
      const d0 = Math.hypot(prev.x - other.x, prev.y - other.y);
      const d1 = Math.hypot(now.x - other.x, now.y - other.y);
      const r = e.currentTarget.getBoundingClientRect();
      if (d0 > 0) zoomBy(d1 / d0, { x: (now.x + other.x) / 2 - r.left, y: (now.y + other.y) / 2 - r.top });
    } else {
      setView((v) => panBy(v, now.x - prev.x, now.y - prev.y, image, viewport));
    }
    pointers.current.set(e.pointerId, now);
  };
  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    pointers.current.delete(e.pointerId);
    if (pointers.current.size === 0) setDragging(false);
  };
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const step = (e.shiftKey ? 0.4 : 0.1) * Math.min(viewport.width, viewport.height);
    const actions: Record<string, () => void> = {
      '+': () => zoomBy(ZOOM_STEP),
      '=': () => zoomBy(ZOOM_STEP),
      '-': () => zoomBy(1 / ZOOM_STEP),
      _: () => zoomBy(1 / ZOOM_STEP),
      '0': () => setView(() => FIT_VIEW),
      '1': () => setView((v) => viewAtPixelScale(v, 1, image, viewport)),
      ArrowLeft: () => setView((v) => panBy(v, step, 0, image, viewport)),
      ArrowRight: () => setView((v) => panBy(v, -step, 0, image, viewport)),
      ArrowUp: () => setView((v) => panBy(v, 0, step, image, viewport)),
      ArrowDown: () => setView((v) => panBy(v, 0, -step, image, viewport)),
    };
    const a = actions[e.key];
    if (a) {
      e.preventDefault();
      e.stopPropagation();
      a();
    }
  };

  /** The anomaly map's value (0..1) under an image pixel, while the map is shown. */
  const anomalyValue = (p: Point): number | null => {
    const m = layers.anomaly.visible ? anomalyMap.data : undefined;
    if (!m) return null;
    const q = layerPixelAt({ x: p.x + 0.5, y: p.y + 0.5 }, m, image);
    return q ? m.values[q.y * m.width + q.x]! / 255 : null;
  };
  const zoomPercent = ready ? pixelZoomPercent(view, image, viewport) : 100;
  const imageFilter = settings.brightness !== 1 || settings.contrast !== 1 ? `brightness(${settings.brightness}) contrast(${settings.contrast})` : undefined;
  const labelFor = (f: Inspection['findings'][number]) => `${f.label} ${Math.round(f.score * 100)} %`;

  return (
    <div className={cn('@container flex min-w-0 flex-col gap-3', className)} data-testid="image-viewer">
      <div className="grid min-w-0 items-start gap-3 @2xl:grid-cols-[minmax(0,1fr)_14rem]">
        <div className="flex min-w-0 flex-col overflow-hidden rounded-lg border bg-card">
          <div className="flex flex-wrap items-center gap-1 border-b p-1.5" role="toolbar" aria-label="Zoom">
            <Button variant="ghost" size="icon" aria-label="Zoom out" title="Zoom out (-)" onClick={() => zoomBy(1 / ZOOM_STEP)}>
              <Minus aria-hidden="true" />
            </Button>
            <output className="w-14 text-center text-sm tabular-nums" aria-live="off" data-testid="viewer-zoom" title="Screen pixels per image pixel">
              {zoomPercent} %
            </output>
            <Button variant="ghost" size="icon" aria-label="Zoom in" title="Zoom in (+)" onClick={() => zoomBy(ZOOM_STEP)}>
              <Plus aria-hidden="true" />
            </Button>
            <Button variant="ghost" size="sm" className="h-10" title="Fit the image to the view (0)" onClick={() => setView(() => FIT_VIEW)}>
              <Maximize aria-hidden="true" />
              Fit
            </Button>
            <Button variant="ghost" size="sm" className="h-10" title="One image pixel per screen pixel (1)" onClick={() => setView((v) => viewAtPixelScale(v, 1, image, viewport))}>
              <Scan aria-hidden="true" />
              1:1
            </Button>
            <span className="ml-auto flex min-w-0 items-center gap-2 truncate px-1 text-xs tabular-nums text-muted-foreground" data-testid="viewer-readout">
              {hover ? (
                <>
                  x {hover.x}, y {hover.y}
                  {anomalyValue(hover) !== null ? <> &middot; anomaly {anomalyValue(hover)!.toFixed(2)}</> : null}
                </>
              ) : (
                <>
                  {inspection.image.name ?? 'image'} &middot; {inspection.image.width} x {inspection.image.height}
                </>
              )}
            </span>
            {toolbarExtra}
          </div>
          <div
            ref={viewportRef}
            role="application"
            aria-roledescription="image viewer"
            aria-label={`Image ${inspection.image.name ?? inspection.id}`}
            aria-describedby={hintId}
            tabIndex={0}
            onKeyDown={onKeyDown}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onPointerLeave={() => setHover(null)}
            onDoubleClick={(e) => {
              const r = e.currentTarget.getBoundingClientRect();
              zoomBy(2, { x: e.clientX - r.left, y: e.clientY - r.top });
            }}
            className={cn(
              'relative h-[clamp(18rem,calc(100dvh-22rem),52rem)] touch-none select-none overflow-hidden bg-[repeating-conic-gradient(var(--muted)_0_25%,transparent_0_50%)] bg-[length:16px_16px] outline-offset-[-2px]',
              dragging ? 'cursor-grabbing' : 'cursor-grab',
            )}
            data-testid="viewer-viewport"
          >
            <p id={hintId} className="sr-only">
              Plus and minus zoom, 0 fits the image, 1 shows actual pixels, arrow keys pan; drag to pan, wheel or pinch to zoom.
            </p>
            {ready ? (
              <div
                className="absolute left-0 top-0 origin-top-left"
                style={{ width: image.width, height: image.height, transform: `translate(${t.tx}px, ${t.ty}px) scale(${t.scale})` }}
                data-testid="viewer-stage"
              >
                {imageUrl.data ? (
                  <img
                    src={imageUrl.data}
                    alt={`Inspected image ${inspection.image.name ?? ''}`.trim()}
                    draggable={false}
                    decoding="async"
                    className="absolute inset-0 size-full max-w-none"
                    style={{ filter: imageFilter, imageRendering: t.scale >= 3 ? 'pixelated' : 'auto' }}
                  />
                ) : null}
                {layers.masks.visible && masks.data ? <RgbaCanvas image={masks.data} opacity={layers.masks.opacity} label="Finding masks" /> : null}
                {heatmapOn && layers.heatmap.colormap === 'stored' && storedHeatmap.data ? (
                  <img src={storedHeatmap.data} alt={`Heatmap: ${source.label}`} draggable={false} className="absolute inset-0 size-full max-w-none" style={{ opacity: layers.heatmap.opacity }} />
                ) : null}
                {heatmapOn && layers.heatmap.colormap !== 'stored' && heatmapBytes.data ? (
                  <MapCanvas map={heatmapBytes.data} colormap={layers.heatmap.colormap} opacity={layers.heatmap.opacity} label={`Heatmap: ${source.label}`} />
                ) : null}
                {layers.anomaly.visible && anomalyMap.data ? (
                  <MapCanvas map={anomalyMap.data} colormap={layers.anomaly.colormap === 'stored' ? 'jet' : layers.anomaly.colormap} opacity={layers.anomaly.opacity} label="Anomaly map" />
                ) : null}
                {(layers.masks.visible && maskFindings.some((f) => f.polygon)) || (layers.boxes.visible && boxFindings.length) ? (
                  <svg className="pointer-events-none absolute inset-0 size-full overflow-visible" viewBox={`0 0 ${image.width} ${image.height}`} preserveAspectRatio="none" aria-hidden="true">
                    {layers.masks.visible
                      ? maskFindings.map((f, i) =>
                          f.polygon && f.polygon.length >= 6 ? (
                            <polygon key={`p${i}`} points={f.polygon.join(' ')} fill="none" stroke={classColor(f.classIndex)} strokeWidth={1.5} vectorEffect="non-scaling-stroke" opacity={Math.min(1, layers.masks.opacity + 0.35)} />
                          ) : null,
                        )
                      : null}
                    {layers.boxes.visible
                      ? boxFindings.map((f, i) => (
                          <rect
                            key={`b${i}`}
                            x={Math.min(f.box![0], f.box![2])}
                            y={Math.min(f.box![1], f.box![3])}
                            width={Math.abs(f.box![2] - f.box![0])}
                            height={Math.abs(f.box![3] - f.box![1])}
                            fill="none"
                            stroke={classColor(f.classIndex)}
                            strokeWidth={2}
                            vectorEffect="non-scaling-stroke"
                            opacity={layers.boxes.opacity}
                          />
                        ))
                      : null}
                  </svg>
                ) : null}
              </div>
            ) : null}
            {ready && layers.boxes.visible
              ? boxFindings.map((f, i) => {
                  const r = boxToScreen(f.box!, t);
                  const p = labelPosition(r, 20, viewport, 8 * labelFor(f).length);
                  const color = classColor(f.classIndex);
                  return (
                    <span
                      key={`l${i}`}
                      aria-hidden="true"
                      className="pointer-events-none absolute whitespace-nowrap rounded-sm px-1 text-xs font-medium leading-5"
                      style={{ left: p.x, top: p.y, background: color, color: textOn(color), opacity: layers.boxes.opacity }}
                    >
                      {labelFor(f)}
                    </span>
                  );
                })
              : null}
            {imageUrl.isPending ? <Skeleton className="absolute inset-4" /> : null}
            {imageUrl.isError ? (
              <div className="absolute inset-4 flex items-center justify-center">
                <ErrorMessage error={imageUrl.error} />
              </div>
            ) : null}
            {(layers.masks.visible && masks.isFetching) || (heatmapOn && (storedHeatmap.isFetching || heatmapBytes.isFetching)) || (layers.anomaly.visible && anomalyMap.isFetching) ? (
              <Spinner label="Loading layer" className="absolute bottom-2 left-2 rounded bg-card/90 px-2 py-1" />
            ) : null}
          </div>
        </div>
        <LayersPanel
          settings={settings}
          set={set}
          inspection={inspection}
          boxCount={boxFindings.length}
          maskCount={maskFindings.length}
          sources={sources}
          source={source}
          explanationsLoading={explanations.isPending}
          noHeatmapHint={noHeatmapHint}
          errors={[masks.error, heatmapBytes.error, storedHeatmap.error, anomalyMap.error, explanations.error].filter(Boolean)}
        />
      </div>
    </div>
  );
}

function SliderRow({ label, ariaLabel, value, min, max, disabled, onChange }: { label: string; ariaLabel?: string; value: number; min: number; max: number; disabled?: boolean; onChange: (v: number) => void }) {
  return (
    <div className="flex flex-col gap-0.5">
      <div className="flex justify-between text-xs text-muted-foreground">
        <span aria-hidden="true">{label}</span>
        <span className="tabular-nums text-foreground">{value} %</span>
      </div>
      <Slider aria-label={ariaLabel ?? label} min={min} max={max} step={5} value={[value]} onValueChange={([v]) => onChange(v ?? value)} disabled={disabled} />
    </div>
  );
}

function LayerRow({ id, title, settings, set, available, note, children }: {
  id: LayerId;
  title: string;
  settings: ViewerSettings;
  set: (u: (s: ViewerSettings) => ViewerSettings) => void;
  available: boolean;
  note?: ReactNode;
  children?: ReactNode;
}) {
  const uid = useId();
  const layer = settings.layers[id];
  return (
    <fieldset className="flex flex-col gap-2 border-t pt-3 first:border-t-0 first:pt-0" data-testid={`layer-${id}`}>
      <div className="flex items-center justify-between gap-2">
        <legend className="contents">
          <label htmlFor={`${uid}-on`} className="text-sm font-medium">
            {title}
          </label>
        </legend>
        <Switch id={`${uid}-on`} checked={layer.visible && available} disabled={!available} onCheckedChange={(v) => set((s) => withLayer(s, id, { visible: v }))} />
      </div>
      {note ? <div className="text-xs text-muted-foreground">{note}</div> : null}
      {available ? (
        <>
          <SliderRow label="Opacity" ariaLabel={`${title} opacity`} value={Math.round(layer.opacity * 100)} min={0} max={100} disabled={!layer.visible} onChange={(v) => set((s) => withLayer(s, id, { opacity: v / 100 }))} />
          {children}
        </>
      ) : null}
    </fieldset>
  );
}

function ColormapChoice({ id, title, settings, set, storedLabel }: { id: LayerId; title: string; settings: ViewerSettings; set: (u: (s: ViewerSettings) => ViewerSettings) => void; storedLabel?: string }) {
  const uid = useId();
  const value = settings.layers[id].colormap;
  const shown: Colormap = value === 'stored' ? ((COLORMAPS as readonly string[]).includes(storedLabel ?? '') ? (storedLabel as Colormap) : 'jet') : value;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-col gap-1">
        <label htmlFor={uid} className="text-xs text-muted-foreground">
          Colours
        </label>
        <Select id={uid} aria-label={`${title} colormap`} className="h-9 py-1 text-sm" value={value} onChange={(e) => set((s) => withLayer(s, id, { colormap: e.target.value as Colormap | 'stored' }))}>
          {storedLabel !== undefined ? <option value="stored">As computed ({storedLabel})</option> : null}
          {COLORMAPS.map((c) => (
            <option key={c} value={c}>
              {COLORMAP_LABELS[c]}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex flex-col gap-0.5" aria-hidden="true">
        <div className="h-2 rounded-sm" style={{ background: colormapGradient(shown) }} />
        <div className="flex justify-between text-[10px] text-muted-foreground">
          <span>low</span>
          <span>high</span>
        </div>
      </div>
    </div>
  );
}

function LayersPanel({ settings, set, inspection, boxCount, maskCount, sources, source, explanationsLoading, noHeatmapHint, errors }: {
  settings: ViewerSettings;
  set: (u: (s: ViewerSettings) => ViewerSettings) => void;
  inspection: Inspection;
  boxCount: number;
  maskCount: number;
  sources: HeatmapSource[];
  source: HeatmapSource | undefined;
  explanationsLoading: boolean;
  noHeatmapHint?: ReactNode;
  errors: unknown[];
}) {
  const uid = useId();
  const classes = [...new Map(inspection.findings.map((f) => [f.classIndex, f.label])).entries()].sort((a, b) => a[0] - b[0]);
  return (
    <section aria-label="Layers" className="flex flex-col gap-3 rounded-lg border bg-card p-3 text-sm" data-testid="viewer-layers">
      <h2 className="text-sm font-semibold">Layers</h2>
      <LayerRow id="boxes" title="Boxes" settings={settings} set={set} available={boxCount > 0} note={boxCount ? `${boxCount} finding${boxCount === 1 ? '' : 's'}` : 'No boxes on this image.'} />
      <LayerRow id="masks" title="Masks" settings={settings} set={set} available={maskCount > 0} note={maskCount ? `${maskCount} mask${maskCount === 1 ? '' : 's'}` : 'No masks on this image.'} />
      {classes.length && boxCount + maskCount > 0 ? (
        <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Class colours">
          {classes.map(([index, label]) => (
            <li key={index} className="flex items-center gap-1.5">
              <span className="size-3 rounded-sm" style={{ background: classColor(index) }} aria-hidden="true" />
              {label}
            </li>
          ))}
        </ul>
      ) : null}
      <LayerRow
        id="heatmap"
        title="Heatmap"
        settings={settings}
        set={set}
        available={sources.length > 0}
        note={explanationsLoading ? 'Looking for explanations\u2026' : sources.length ? null : (noHeatmapHint ?? 'No explanation has been computed for this image yet.')}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={`${uid}-method`} className="text-xs text-muted-foreground">
            Method
          </label>
          <Select
            id={`${uid}-method`}
            aria-label="Heatmap method"
            className="h-9 py-1 text-sm"
            value={source?.key ?? ''}
            onChange={(e) => set((s) => ({ ...withLayer(s, 'heatmap', { visible: true }), heatmapMethod: e.target.value }))}
          >
            {source ? null : <option value="">Choose a method</option>}
            {sources.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </Select>
        </div>
        <ColormapChoice id="heatmap" title="Heatmap" settings={settings} set={set} storedLabel={source?.storedColormap ?? 'jet'} />
      </LayerRow>
      {inspection.anomaly ? (
        <LayerRow id="anomaly" title="Anomaly map" settings={settings} set={set} available note={`Score ${inspection.anomaly.score.toFixed(2)}; the map's middle colour is the pixel threshold.`}>
          <ColormapChoice id="anomaly" title="Anomaly map" settings={settings} set={set} />
        </LayerRow>
      ) : null}
      <fieldset className="flex flex-col gap-2 border-t pt-3">
        <legend className="sr-only">Image adjustments</legend>
        <div className="flex items-center justify-between">
          <span className="text-sm font-medium" aria-hidden="true">
            Image
          </span>
          <Button
            variant="ghost"
            size="sm"
            disabled={settings.brightness === 1 && settings.contrast === 1}
            onClick={() => set((s) => ({ ...s, brightness: DEFAULT_SETTINGS.brightness, contrast: DEFAULT_SETTINGS.contrast }))}
          >
            <RotateCcw aria-hidden="true" />
            Reset
          </Button>
        </div>
        {(['brightness', 'contrast'] as const).map((k) => (
          <SliderRow key={k} label={k === 'brightness' ? 'Brightness' : 'Contrast'} value={Math.round(settings[k] * 100)} min={20} max={300} onChange={(v) => set((s) => ({ ...s, [k]: v / 100 }))} />
        ))}
      </fieldset>
      {errors.map((e, i) => (
        <ErrorMessage key={i} error={e} />
      ))}
    </section>
  );
}
