import { describe, expect, it } from 'vitest';
import { cameraChoices, cameraProblem, captureName, frameWidth, videoConstraints } from './camera.ts';

describe('videoConstraints', () => {
  it('prefers the rear camera unless one is picked', () => {
    expect(videoConstraints(null)).toMatchObject({ facingMode: { ideal: 'environment' } });
    expect(videoConstraints('cam-2')).toMatchObject({ deviceId: { exact: 'cam-2' } });
    expect(videoConstraints('cam-2')).not.toHaveProperty('facingMode');
  });
});

describe('cameraChoices', () => {
  it('keeps video inputs and names unlabelled ones', () => {
    const list = cameraChoices([
      { kind: 'audioinput', deviceId: 'mic', label: 'Mic' },
      { kind: 'videoinput', deviceId: 'a', label: 'Back camera' },
      { kind: 'videoinput', deviceId: 'b', label: '' },
      { kind: 'videoinput', deviceId: '', label: 'hidden' },
    ]);
    expect(list).toEqual([
      { deviceId: 'a', label: 'Back camera' },
      { deviceId: 'b', label: 'Camera 2' },
    ]);
  });
});

describe('cameraProblem', () => {
  it('says why in one sentence and offers a file', () => {
    const refused = cameraProblem(new DOMException('Permission denied', 'NotAllowedError'));
    expect(refused).toMatch(/^Camera access was refused; .*choose an image file instead\.$/);
    expect(cameraProblem(new DOMException('', 'NotFoundError'))).toBe('No camera was found on this device; choose an image file instead.');
    expect(cameraProblem({ name: 'unsupported' })).toMatch(/no camera access here/);
    expect(cameraProblem(new DOMException('', 'NotReadableError'))).toMatch(/in use by another application/);
    expect(cameraProblem(new Error('boom'))).toBe('The camera could not be started (boom); choose an image file instead.');
    expect(cameraProblem('weird')).toBe('The camera could not be started; choose an image file instead.');
  });
});

describe('captureName and frameWidth', () => {
  it('names a frame by its local time', () => {
    expect(captureName(new Date(2026, 11, 5, 8, 4, 9))).toBe('station-20261205-080409.jpg');
  });
  it('limits the width so the height stays within bounds', () => {
    expect(frameWidth(4 / 3, '60dvh')).toBe('min(100%, calc(60dvh * 1.3333))');
    expect(frameWidth(0, '60dvh')).toBe('100%');
    expect(frameWidth(Number.NaN, '60dvh')).toBe('100%');
  });
});
