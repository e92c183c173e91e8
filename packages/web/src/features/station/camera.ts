/**
 * The station camera's pure logic, free of React: the constraints asked of getUserMedia (the
 * rear camera preferred, or the camera picked), why a camera cannot be used in one sentence,
 * the cameras offered in the picker, and the name a captured frame is sent under.
 */

/** A camera as the picker offers it. */
export interface CameraChoice {
  deviceId: string;
  label: string;
}

/** The video constraints: the picked camera exactly, else the rear (environment-facing) one when there is one; as sharp as the camera gives, up to 1920 x 1080. */
export function videoConstraints(deviceId: string | null): MediaTrackConstraints {
  const size = { width: { ideal: 1920 }, height: { ideal: 1080 } };
  return deviceId ? { deviceId: { exact: deviceId }, ...size } : { facingMode: { ideal: 'environment' }, ...size };
}

/** The video inputs among the media devices, named "Camera 2" when the browser hides labels. */
export function cameraChoices(devices: readonly Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>[]): CameraChoice[] {
  return devices.filter((d) => d.kind === 'videoinput' && d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/** Why the camera cannot be used, as one sentence with what to do instead. */
export function cameraProblem(error: unknown): string {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'unsupported':
      return 'This browser offers no camera access here (it needs a secure https:// or localhost address); choose an image file instead.';
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'Camera access was refused; allow the camera for this site in the browser settings, or choose an image file instead.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return 'No camera was found on this device; choose an image file instead.';
    case 'NotReadableError':
    case 'TrackStartError':
      return 'The camera is in use by another application or could not be started; close that application and try again, or choose an image file.';
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'The chosen camera is no longer available; pick another camera or choose an image file.';
    case 'SecurityError':
      return 'The browser blocks the camera on this page (it needs a secure https:// address); choose an image file instead.';
    case 'AbortError':
      return 'The camera stopped while starting; try again or choose an image file.';
    case 'ended':
      return 'The camera stopped (it was unplugged or taken by another application); start it again or choose an image file.';
    default:
      return `The camera could not be started${error instanceof Error && error.message ? ` (${error.message})` : ''}; choose an image file instead.`;
  }
}

/** The file name of a frame captured at `at` ("station-20261205-181530.jpg", local time). */
export function captureName(at: Date, ext = 'jpg'): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `station-${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}.${ext}`;
}

/** The width a frame of `ratio` (width / height) may take so that it is at most `maxHeight` high: a CSS length. */
export function frameWidth(ratio: number, maxHeight: string): string {
  return Number.isFinite(ratio) && ratio > 0 ? `min(100%, calc(${maxHeight} * ${ratio.toFixed(4)}))` : '100%';
}
