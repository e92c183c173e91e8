import { describe, expect, it } from 'vitest';
import { jobEnded, jobProgressText } from './use-job.ts';

describe('job progress', () => {
  it('knows which states are final', () => {
    expect(jobEnded(undefined)).toBe(false);
    expect(jobEnded({ status: 'queued' })).toBe(false);
    expect(jobEnded({ status: 'running' })).toBe(false);
    expect(jobEnded({ status: 'succeeded' })).toBe(true);
    expect(jobEnded({ status: 'failed' })).toBe(true);
    expect(jobEnded({ status: 'cancelled' })).toBe(true);
  });

  it('says what the job is doing in a sentence', () => {
    const base = { progress: 0, progressMessage: null, error: null };
    expect(jobProgressText(undefined)).toBe('Starting');
    expect(jobProgressText({ ...base, status: 'queued' })).toBe('Waiting for a worker');
    expect(jobProgressText({ ...base, status: 'running', progress: 0.4, progressMessage: 'rendering pages' })).toBe('Rendering pages, 40 %');
    expect(jobProgressText({ ...base, status: 'running', progress: 0.05 })).toBe('Working, 5 %');
    expect(jobProgressText({ ...base, status: 'failed', error: 'no inspections' })).toBe('Failed: no inspections');
  });
});
