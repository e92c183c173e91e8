import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { LocalEventBus } from './event-bus.ts';
import { CLOSE_CODES, EventSession, SOCKET_OPEN } from './event-socket.ts';
import type { EventSocket } from './event-socket.ts';

/** A socket that records what the session does; `bufferedAmount` grows with every send until `drain`. */
class FakeSocket implements EventSocket {
  readyState = SOCKET_OPEN;
  bufferedAmount = 0;
  sent: string[] = [];
  pings = 0;
  closedWith: { code?: number; reason?: string } | undefined;
  terminated = false;
  private readonly handlers = new Map<string, (() => void)[]>();
  send(data: string): void {
    this.sent.push(data);
    this.bufferedAmount += Buffer.byteLength(data);
  }
  ping(): void {
    this.pings++;
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  on(event: 'pong' | 'close', listener: () => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
  }
  emit(event: 'pong' | 'close'): void {
    for (const h of this.handlers.get(event) ?? []) h();
  }
  drain(): void {
    this.bufferedAmount = 0;
  }
}

const progress = (bus: LocalEventBus, account: string, p: number): Promise<void> =>
  bus.publish(account, 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: p, message: null });

describe('EventSession', () => {
  it('sends each event of its account as the JSON of the event, nothing of other accounts, and unsubscribes on close', async () => {
    const bus = new LocalEventBus();
    const socket = new FakeSocket();
    new EventSession(socket, bus, 'acct-a', { keepaliveMs: 0 });
    await progress(bus, 'acct-a', 0.5);
    await progress(bus, 'acct-b', 0.7);
    expect(socket.sent).toHaveLength(1);
    expect(JSON.parse(socket.sent[0])).toEqual({ type: 'job.progress', accountId: 'acct-a', at: expect.any(String), data: { jobId: 'j', name: 'blob.sweep', progress: 0.5, message: null } });
    expect(bus.listenerCount('acct-a')).toBe(1);
    socket.emit('close');
    expect(bus.listenerCount('acct-a')).toBe(0);
  });

  it('closes with 4008 when a client that does not read would pass the buffer limit, and sends nothing after', async () => {
    const bus = new LocalEventBus();
    const socket = new FakeSocket();
    const one = JSON.stringify({ type: 'job.progress', accountId: 'acct', at: new Date().toISOString(), data: { jobId: 'j', name: 'blob.sweep', progress: 0.5, message: null } }).length;
    new EventSession(socket, bus, 'acct', { keepaliveMs: 0, maxBufferedBytes: one * 3 + one / 2 });
    for (let i = 0; i < 5; i++) await progress(bus, 'acct', 0.5);
    expect(socket.sent).toHaveLength(3);
    expect(socket.closedWith?.code).toBe(CLOSE_CODES.slowConsumer);
    expect(socket.closedWith?.reason).toMatch(/too slow/);
    expect(bus.listenerCount('acct')).toBe(0);
  });

  it('keeps a client that reads: the limit bounds unsent bytes, not the total', async () => {
    const bus = new LocalEventBus();
    const socket = new FakeSocket();
    new EventSession(socket, bus, 'acct', { keepaliveMs: 0, maxBufferedBytes: 400 });
    for (let i = 0; i < 50; i++) {
      await progress(bus, 'acct', 0.5);
      socket.drain();
    }
    expect(socket.sent).toHaveLength(50);
    expect(socket.closedWith).toBeUndefined();
  });

  it('pings at each keepalive and cuts a peer that did not answer the previous ping', async () => {
    const bus = new LocalEventBus();
    const socket = new FakeSocket();
    const session = new EventSession(socket, bus, 'acct', { keepaliveMs: 0 });
    await session.keepalive();
    expect(socket.pings).toBe(1);
    socket.emit('pong');
    await session.keepalive();
    expect(socket.pings).toBe(2);
    expect(socket.terminated).toBe(false);
    await session.keepalive();
    expect(socket.terminated).toBe(true);
    expect(bus.listenerCount('acct')).toBe(0);
  });

  it('checks the credential at each keepalive: 401 or another account closes with 4401, an unavailable verifier keeps the connection', async () => {
    const bus = new LocalEventBus();
    let answer: () => Promise<string> = async () => 'acct';
    const warnings: object[] = [];
    const socket = new FakeSocket();
    const session = new EventSession(socket, bus, 'acct', { keepaliveMs: 0, recheck: () => answer(), log: { warn: (o) => warnings.push(o) } });
    await session.keepalive();
    socket.emit('pong');
    answer = async () => {
      throw Object.assign(new Error('JWKS down'), { status: 503 });
    };
    await session.keepalive();
    socket.emit('pong');
    expect(socket.closedWith).toBeUndefined();
    expect(warnings).toHaveLength(1);
    answer = async () => {
      throw Object.assign(new Error('token expired'), { status: 401 });
    };
    await session.keepalive();
    expect(socket.closedWith?.code).toBe(CLOSE_CODES.unauthenticated);

    const other = new FakeSocket();
    const moved = new EventSession(other, bus, 'acct', { keepaliveMs: 0, recheck: async () => 'acct-other' });
    await moved.keepalive();
    expect(other.closedWith?.code).toBe(CLOSE_CODES.unauthenticated);
    expect(bus.listenerCount('acct')).toBe(0);
  });

  it('drops a real ws client that stopped reading with 4008 once its unsent events pass the limit, and the client reads the code', async () => {
    const bus = new LocalEventBus();
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    server.on('connection', (socket) => new EventSession(socket, bus, 'acct', { keepaliveMs: 0, maxBufferedBytes: 64 * 1024 }));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await once(client, 'open');
      while (bus.listenerCount('acct') === 0) await new Promise((r) => setTimeout(r, 5));
      client.pause();
      // The kernel buffers of both ends fill first; the session must end before this bound.
      let published = 0;
      while (bus.listenerCount('acct') > 0 && published < 1_000_000) {
        await progress(bus, 'acct', published / 1_000_000);
        published++;
      }
      expect(bus.listenerCount('acct')).toBe(0);
      const closed = once(client, 'close');
      client.resume();
      const [code, reason] = (await closed) as [number, Buffer];
      expect(code).toBe(CLOSE_CODES.slowConsumer);
      expect(reason.toString()).toMatch(/too slow/);
    } finally {
      client.terminate();
      server.close();
    }
  });
});
