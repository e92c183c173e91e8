/**
 * Station camera at `/station`, for a tablet at the inspection station: the live camera
 * (the rear one preferred, a picker when there are several), a large capture button (and
 * Space), the frame sent to `POST /detect` with the chosen model, the verdict drawn over the
 * captured frame (boxes, masks, a verdict banner) and the ask panel under it. Without a
 * camera (no getUserMedia, access refused, none found) it says why in a sentence and takes
 * an image file instead; a file can be chosen at any time. The camera stops when the page
 * is left.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { components } from '@xai-qc/client';
import { Camera, CameraOff, ExternalLink, ImagePlus, Loader2, RotateCw, Video } from 'lucide-react';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, postForm } from '../../app/api.ts';
import { isTyping } from '../../app/AppShell.tsx';
import { cn } from '../../shared/lib/cn.ts';
import { duration, num, percent } from '../../shared/lib/format.ts';
import { useApiBlobUrl } from '../../shared/lib/use-api-blob.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button, buttonVariants } from '../../shared/ui/button.tsx';
import { Label, Select } from '../../shared/ui/form.tsx';
import { ErrorMessage, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { AskPanel } from '../ask/index.ts';
import { captureName, frameWidth } from './camera.ts';
import { FrameOverlay } from './FrameOverlay.tsx';
import { useCamera } from './use-camera.ts';

type Inspection = components['schemas']['Inspection'];
type Model = components['schemas']['Model'];

const MODEL_KEY = 'xqc-station-model';
const FRAME_MAX_HEIGHT = '62dvh';

/** A frame taken from the camera or a file, with its local object URL. */
interface Shot {
  file: File;
  url: string;
  source: 'camera' | 'file';
}

/** Draws the video's current frame into a JPEG file. */
async function grabFrame(video: HTMLVideoElement): Promise<File> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new Error('the camera has not delivered a picture yet; wait a moment and capture again');
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw the frame');
  ctx.drawImage(video, 0, 0, w, h);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw new Error('the frame could not be encoded');
  return new File([blob], captureName(new Date()), { type: 'image/jpeg' });
}

/** Station camera. */
export default function StationPage() {
  const queryClient = useQueryClient();
  const modelId = useId();
  const cameraId = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [shot, setShot] = useState<Shot | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [grabError, setGrabError] = useState<unknown>(null);
  const { state: camera, cameras } = useCamera(true, picked, attempt);
  const live = camera.status === 'live';

  const models = useQuery({
    queryKey: ['models'],
    queryFn: async ({ signal }) => {
      const { data, error } = await api.GET('/api/xai-qc/models', { signal });
      if (error) throw error;
      return data.items;
    },
  });
  const active = useMemo(() => (models.data ?? []).filter((m: Model) => m.activeVersionId), [models.data]);
  const [modelChoice, setModelChoice] = useState<string>(() => localStorage.getItem(MODEL_KEY) ?? localStorage.getItem('xqc-inspect-model') ?? '');
  const model = active.find((m) => m.name === modelChoice) ?? active[0];

  // the live stream into the video element
  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    v.srcObject = camera.status === 'live' ? camera.stream : null;
    if (camera.status === 'live') void v.play().catch(() => undefined);
  }, [camera]);

  // the shot's object URL lives as long as the shot
  useEffect(() => (shot ? () => URL.revokeObjectURL(shot.url) : undefined), [shot]);

  const detect = useMutation({
    mutationFn: ({ file, model }: { file: File; model: string }) => {
      const form = new FormData();
      form.append('image', file, file.name);
      return postForm<Inspection>('/detect', form, { query: { model } });
    },
    onSuccess: (r) => queryClient.setQueryData(['inspection', r.id], r),
  });

  const send = useCallback(
    (file: File, source: Shot['source']) => {
      if (!model) return;
      setHighlight(null);
      setShot({ file, url: URL.createObjectURL(file), source });
      detect.mutate({ file, model: model.name });
    },
    [detect, model],
  );

  const capture = useCallback(async () => {
    const v = videoRef.current;
    if (!v || !live || !model || detect.isPending) return;
    setGrabError(null);
    try {
      send(await grabFrame(v), 'camera');
    } catch (e) {
      setGrabError(e);
    }
  }, [live, model, detect.isPending, send]);

  // Space captures (not while typing or on another control)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || e.repeat || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
      const t = e.target as HTMLElement | null;
      if (t && t !== document.body && t.closest('button, a, summary, [role=button], [role=slider], [role=switch], [role=tab], [role=option]')) return;
      e.preventDefault();
      void capture();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [capture]);

  const result = detect.data && shot && !detect.isPending ? detect.data : undefined;
  const storedImage = useApiBlobUrl(result ? `/inspections/${result.id}/image` : null);
  const frameUrl = storedImage.data ?? shot?.url;
  const showingShot = !!shot;
  const noModel = models.isSuccess && active.length === 0;
  const cameraFailed = camera.status === 'error';

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Station camera"
        description="Point the camera at the part and capture; the verdict appears on the frame. Space captures too."
        actions={
          <div className="flex flex-wrap items-end gap-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={modelId}>Model</Label>
              {models.isPending ? (
                <Skeleton className="h-11 w-64" />
              ) : (
                <Select
                  id={modelId}
                  className="h-11 w-64"
                  value={model?.name ?? ''}
                  disabled={!active.length}
                  onChange={(e) => {
                    setModelChoice(e.target.value);
                    localStorage.setItem(MODEL_KEY, e.target.value);
                  }}
                >
                  {active.length ? null : <option value="">No active model</option>}
                  {active.map((m) => (
                    <option key={m.id} value={m.name}>
                      {m.name} {m.activeVersion ? `(${m.activeVersion})` : ''}
                    </option>
                  ))}
                </Select>
              )}
            </div>
            {cameras.length > 1 ? (
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={cameraId}>Camera</Label>
                <Select id={cameraId} className="h-11 w-56" value={camera.status === 'live' ? (camera.deviceId ?? '') : (picked ?? '')} onChange={(e) => setPicked(e.target.value || null)}>
                  {cameras.map((c) => (
                    <option key={c.deviceId} value={c.deviceId}>
                      {c.label}
                    </option>
                  ))}
                </Select>
              </div>
            ) : null}
          </div>
        }
      />
      <input
        ref={fileRef}
        type="file"
        accept="image/png,image/jpeg,image/tiff,image/webp,image/bmp,image/gif"
        className="hidden"
        aria-label="Image file to inspect"
        data-testid="station-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) send(f, 'file');
          e.target.value = '';
        }}
      />
      {models.isError ? <ErrorMessage error={models.error} /> : null}
      {noModel ? <ErrorMessage error={new Error('No model is active. Activate a model version on the Models page to inspect here.')} /> : null}

      <div className="grid min-w-0 items-start gap-4 md:grid-cols-[minmax(0,1fr)_15rem]">
        <section aria-label={showingShot ? 'Captured frame' : 'Camera'} className="relative flex min-w-0 flex-col gap-2">
          {cameraFailed && !showingShot ? (
            <div className="flex min-h-72 flex-col items-center justify-center gap-4 rounded-lg border-2 border-dashed p-6 text-center" data-testid="station-camera-problem">
              <CameraOff className="size-10 text-muted-foreground" aria-hidden="true" />
              <p className="max-w-prose text-base" role="alert">
                {camera.reason}
              </p>
              <div className="flex flex-wrap justify-center gap-2">
                <Button size="lg" className="h-14 text-base" onClick={() => fileRef.current?.click()} disabled={!model}>
                  <ImagePlus aria-hidden="true" />
                  Choose an image
                </Button>
                <Button size="lg" variant="outline" className="h-14 text-base" onClick={() => setAttempt((a) => a + 1)}>
                  <RotateCw aria-hidden="true" />
                  Try the camera again
                </Button>
              </div>
            </div>
          ) : null}
          {showingShot && frameUrl ? (
            result ? (
              <FrameOverlay url={frameUrl} inspection={result} highlight={highlight} maxHeight={FRAME_MAX_HEIGHT} />
            ) : (
              <div className="relative mx-auto w-full overflow-hidden rounded-lg border bg-black" style={{ maxWidth: frameWidth(4 / 3, FRAME_MAX_HEIGHT) }}>
                <img src={shot.url} alt="Captured frame, being inspected" className={cn('mx-auto max-h-[62dvh] w-auto', detect.isPending && 'opacity-70')} />
                {detect.isPending ? (
                  <div className="absolute inset-0 flex items-center justify-center">
                    <span className="flex items-center gap-2 rounded-md bg-card/90 px-4 py-2 text-base" role="status">
                      <Loader2 className="size-5 animate-spin" aria-hidden="true" />
                      Inspecting
                    </span>
                  </div>
                ) : null}
              </div>
            )
          ) : null}
          {/* one video element throughout: full size while aiming, a small live inset while a frame is shown */}
          <div
            className={cn(
              camera.status === 'off' || cameraFailed ? 'hidden' : '',
              showingShot ? 'absolute bottom-3 right-3 z-10 w-36 overflow-hidden rounded-md border-2 border-background shadow-lg max-sm:hidden' : 'relative overflow-hidden rounded-lg border bg-black',
            )}
          >
            <video ref={videoRef} autoPlay playsInline muted className={cn('block w-full', showingShot ? '' : 'mx-auto max-h-[62dvh] object-contain')} aria-label="Live camera view" data-testid="station-video" />
            {camera.status === 'starting' ? <Spinner label="Starting the camera" className="absolute inset-x-0 top-1/2 justify-center text-white" /> : null}
            {showingShot && live ? (
              <span className="absolute left-1 top-1 flex items-center gap-1 rounded bg-black/70 px-1.5 text-xs text-white">
                <Video className="size-3" aria-hidden="true" />
                Live
              </span>
            ) : null}
          </div>
        </section>

        <aside aria-label="Capture" className="flex flex-col gap-3">
          <Button
            className="h-24 w-full rounded-xl text-xl [&_svg]:size-7"
            disabled={!live || !model || detect.isPending}
            onClick={() => void capture()}
            aria-keyshortcuts="Space"
            data-testid="station-capture"
          >
            {detect.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Camera aria-hidden="true" />}
            {showingShot ? 'Capture next' : 'Capture'}
          </Button>
          <Button variant="outline" className="h-14 w-full text-base" onClick={() => fileRef.current?.click()} disabled={!model || detect.isPending}>
            <ImagePlus aria-hidden="true" />
            Choose an image
          </Button>
          {showingShot && live ? (
            <Button
              variant="ghost"
              className="h-12 w-full text-base"
              onClick={() => {
                setShot(null);
                setHighlight(null);
                detect.reset();
              }}
            >
              <Video aria-hidden="true" />
              Back to the live view
            </Button>
          ) : null}
          {grabError ? <ErrorMessage error={grabError} /> : null}
          {detect.isError ? (
            <ErrorMessage
              error={detect.error}
              action={
                shot ? (
                  <Button variant="outline" className="h-11 w-fit" onClick={() => model && detect.mutate({ file: shot.file, model: model.name })}>
                    <RotateCw aria-hidden="true" />
                    Try again
                  </Button>
                ) : null
              }
            />
          ) : null}
          {result ? (
            <div className="flex flex-col gap-2 rounded-lg border bg-card p-3 text-sm" data-testid="station-verdict">
              <div className="flex items-center justify-between gap-2">
                <span className="font-semibold">Verdict</span>
                {result.verdict === 'reject' ? <Badge variant="bad" className="text-sm">Reject</Badge> : <Badge variant="good" className="text-sm">Pass</Badge>}
              </div>
              <p>
                <span className="font-medium">{result.label}</span> <span className="tabular-nums text-muted-foreground">{percent(result.score)}</span>
              </p>
              <p className="text-muted-foreground">
                {result.model.task === 'anomaly' ? 'Anomaly' : 'Defect'} score <span className="tabular-nums text-foreground">{num(result.defectScore)}</span>
              </p>
              {result.findings.length ? (
                <p className="text-muted-foreground">
                  {result.findings.length} finding{result.findings.length === 1 ? '' : 's'}: {[...new Set(result.findings.map((f) => f.label))].join(', ')}
                </p>
              ) : null}
              {result.referred ? <Badge variant="warn" className="w-fit">Sent to review</Badge> : null}
              <p className="text-xs text-muted-foreground">
                {result.model.name} {result.model.version} &middot; {duration(result.latency.totalMs)}
              </p>
              <Link to="/inspections/$inspectionId" params={{ inspectionId: result.id }} className={cn(buttonVariants({ variant: 'outline' }), 'h-11')}>
                <ExternalLink aria-hidden="true" />
                Open inspection
              </Link>
            </div>
          ) : null}
        </aside>
      </div>

      {result ? <AskPanel inspection={result} onFinding={setHighlight} title="Ask about this frame" /> : null}
    </div>
  );
}
