import { describe, expect, it } from 'vitest';
import { connectEvents, eventsUrl, parseEvent } from './events.ts';

describe('live events client helpers', () => {
  it('maps the API origin to the WebSocket URL', () => {
    expect(eventsUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/api/xai-qc/ws');
    expect(eventsUrl('https://qc.example.com/')).toBe('wss://qc.example.com/api/xai-qc/ws');
  });

  it('parses event frames and drops anything else, unknown types included', () => {
    const frame = { type: 'job.finished', accountId: 'a', at: '2026-12-05T13:00:00.000Z', data: { jobId: 'j', name: 'explain', status: 'succeeded', error: null } };
    expect(parseEvent(JSON.stringify(frame))).toEqual(frame);
    expect(parseEvent(JSON.stringify({ ...frame, type: 'something.new' }))).toBeUndefined();
    expect(parseEvent(JSON.stringify({ ...frame, data: null }))).toBeUndefined();
    expect(parseEvent('not json')).toBeUndefined();
    expect(parseEvent(new Uint8Array([1, 2]))).toBeUndefined();
  });

  it('refuses to connect without a WebSocket constructor or a credential', async () => {
    const Fake = class {};
    const g = globalThis as { WebSocket?: unknown };
    const global = g.WebSocket;
    delete g.WebSocket;
    try {
      await expect(connectEvents({ baseUrl: 'http://127.0.0.1:1', token: 't' })).rejects.toThrow(/no WebSocket constructor/);
    } finally {
      if (global !== undefined) g.WebSocket = global;
    }
    await expect(connectEvents({ baseUrl: 'http://127.0.0.1:1', WebSocket: Fake })).rejects.toThrow(/needs a token or an API key/);
  });
});
