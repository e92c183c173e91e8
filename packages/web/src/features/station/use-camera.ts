/**
 * The station's camera as a React hook: starts getUserMedia while `enabled` (the rear camera
 * unless one is picked), lists the cameras once access is granted (and again when devices
 * come and go), reports a stopped track, and stops every track when disabled, when the
 * camera changes and when the page unmounts.
 */
import { useEffect, useState } from 'react';
import { cameraChoices, cameraProblem, videoConstraints } from './camera.ts';
import type { CameraChoice } from './camera.ts';

/** The camera's state. */
export type CameraState =
  | { status: 'starting' }
  | { status: 'live'; stream: MediaStream; deviceId: string | null }
  | { status: 'off' }
  | { status: 'error'; reason: string };

/** Starts and stops the camera; `attempt` restarts it when it changes. */
export function useCamera(enabled: boolean, deviceId: string | null, attempt = 0): { state: CameraState; cameras: CameraChoice[] } {
  const [state, setState] = useState<CameraState>({ status: 'off' });
  const [cameras, setCameras] = useState<CameraChoice[]>([]);

  useEffect(() => {
    if (!enabled) {
      setState({ status: 'off' });
      return;
    }
    const media = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    if (!media?.getUserMedia) {
      setState({ status: 'error', reason: cameraProblem({ name: 'unsupported' }) });
      return;
    }
    let cancelled = false;
    let stream: MediaStream | undefined;
    const refreshDevices = () =>
      media
        .enumerateDevices()
        .then((d) => !cancelled && setCameras(cameraChoices(d)))
        .catch(() => undefined);
    setState({ status: 'starting' });
    media
      .getUserMedia({ video: videoConstraints(deviceId), audio: false })
      .then((s) => {
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        const track = s.getVideoTracks()[0];
        track?.addEventListener('ended', () => !cancelled && setState({ status: 'error', reason: cameraProblem({ name: 'ended' }) }));
        setState({ status: 'live', stream: s, deviceId: track?.getSettings().deviceId ?? deviceId });
        void refreshDevices();
      })
      .catch((e: unknown) => {
        if (!cancelled) setState({ status: 'error', reason: cameraProblem(e) });
      });
    media.addEventListener?.('devicechange', refreshDevices);
    return () => {
      cancelled = true;
      media.removeEventListener?.('devicechange', refreshDevices);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [enabled, deviceId, attempt]);

  return { state, cameras };
}
