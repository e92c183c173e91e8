import { describe, expect, it } from 'vitest';
import { cancellable, withLiveProgress } from './job-view.ts';

const job = (status: string, progress = 0.2) => ({ id: 'j', status, progress, progressMessage: 'epoch 2' });

describe('jobs view', () => {
  it('lays live progress over queued and running jobs, never backwards', () => {
    expect(withLiveProgress(job('queued'), { progress: 0.5, message: 'epoch 5' })).toEqual({ id: 'j', status: 'running', progress: 0.5, progressMessage: 'epoch 5' });
    expect(withLiveProgress(job('running', 0.6), { progress: 0.5, message: null })).toEqual(job('running', 0.6));
    expect(withLiveProgress(job('running'), { progress: 0.3, message: null }).progressMessage).toBe('epoch 2');
    expect(withLiveProgress(job('succeeded', 1), { progress: 0.9, message: 'x' })).toEqual(job('succeeded', 1));
    expect(withLiveProgress(job('running'), undefined)).toEqual(job('running'));
  });

  it('lets only queued and running jobs be cancelled', () => {
    expect(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map(cancellable)).toEqual([true, true, false, false, false]);
  });
});
