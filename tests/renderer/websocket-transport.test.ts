import { describe, expect, it } from 'vitest';
import { BridgeClient } from '../../shared/bridge/client.ts';
import { decodeFrame, encodeFrame } from '../../shared/bridge/codec.ts';
import type { ClientMessage, ServerMessage } from '../../shared/bridge/protocol.ts';
import { bridgeUrl, pageToken } from '../../renderer/src/bridge/url.ts';
import { WebSocketTransport, type WebSocketLike } from '../../renderer/src/bridge/websocket.ts';

/** A WebSocket stand-in: records what is sent, and lets the test open, answer and close it. */
class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  sent: Uint8Array[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
  }
  close(): void {
    this.serverClose(1000, '');
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** Delivers a frame as the browser does with binaryType 'arraybuffer': a fresh ArrayBuffer. */
  receive(message: unknown): void {
    const frame = encodeFrame(message);
    this.onmessage?.({ data: frame.slice().buffer });
  }
  serverClose(code: number, reason: string): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  sentMessages(): ClientMessage[] {
    return this.sent.map((f) => decodeFrame(f) as ClientMessage);
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('WebSocketTransport', () => {
  it('asks for binary frames and says it is browser mode without dialogs', () => {
    const socket = new FakeSocket();
    const transport = new WebSocketTransport(socket);
    expect(socket.binaryType).toBe('arraybuffer');
    expect(transport.capabilities).toEqual({ mode: 'browser', dialogs: false });
  });

  it('queues messages until the socket opens, then sends them in order as codec frames', () => {
    const socket = new FakeSocket();
    const transport = new WebSocketTransport(socket);
    transport.send({ kind: 'request', id: 1, name: 'engine.info', input: {} });
    transport.send({ kind: 'request', id: 2, name: 'jobs.list', input: {} });
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(socket.sentMessages().map((m) => m.id)).toEqual([1, 2]);
    transport.send({ kind: 'request', id: 3, name: 'jobs.list', input: {} });
    expect(socket.sentMessages().map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('sends straight away on a socket that is already open', () => {
    const socket = new FakeSocket();
    socket.readyState = 1;
    const transport = new WebSocketTransport(socket);
    transport.send({ kind: 'request', id: 7, name: 'engine.info', input: {} });
    expect(socket.sentMessages()[0]?.id).toBe(7);
  });

  it('decodes replies with their bytes intact and hands them to the client', async () => {
    const socket = new FakeSocket();
    const client = new BridgeClient(new WebSocketTransport(socket));
    socket.open();
    const reply = client.request('dataset.images', { datasetId: 'd', split: 'test', indices: [0] });
    const [request] = socket.sentMessages();
    expect(request).toMatchObject({ kind: 'request', name: 'dataset.images', input: { indices: [0] } });
    const pixels = new Uint8Array([0, 1, 2, 255]);
    const answer: ServerMessage = {
      kind: 'reply',
      id: request?.id ?? -1,
      ok: true,
      output: { n: 1, height: 2, width: 2, channels: 1, indices: [0], labels: [3], pixels },
    };
    socket.receive(answer);
    const images = await reply;
    expect(images.pixels).toBeInstanceOf(Uint8Array);
    expect([...images.pixels]).toEqual([0, 1, 2, 255]);
  });

  it('passes job events to job listeners', () => {
    const socket = new FakeSocket();
    const client = new BridgeClient(new WebSocketTransport(socket));
    const seen: string[] = [];
    client.onJob((j) => seen.push(`${j.id}:${j.status}`));
    socket.open();
    socket.receive({
      kind: 'job',
      job: { id: 'j1', name: 'demo.train', title: 't', status: 'running', queuedAt: 1 },
    });
    expect(seen).toEqual(['j1:running']);
  });

  it('reports frames it cannot decode and drops them', () => {
    const socket = new FakeSocket();
    const bad: unknown[] = [];
    const transport = new WebSocketTransport(socket, (e) => bad.push(e));
    const got: unknown[] = [];
    transport.onMessage((m) => got.push(m));
    socket.open();
    socket.onmessage?.({ data: 'text frame' });
    socket.onmessage?.({ data: new Uint8Array([1, 2]).buffer });
    socket.receive({ kind: 'surprise' });
    expect(bad).toHaveLength(3);
    expect(got).toEqual([]);
  });

  it('on close tells its listeners once, drops the queue and refuses to send', async () => {
    const socket = new FakeSocket();
    const transport = new WebSocketTransport(socket);
    const client = new BridgeClient(transport);
    const closes: unknown[] = [];
    transport.onClose((info) => closes.push(info));
    const pending = client.request('engine.info', {});
    socket.serverClose(1006, '');
    socket.serverClose(1006, '');
    expect(closes).toEqual([{ code: 1006, reason: '', wasOpen: false }]);
    expect(() => transport.send({ kind: 'request', id: 9, name: 'x', input: {} })).toThrow(/closed/);
    await expect(client.request('engine.info', {})).rejects.toMatchObject({ code: 'transport' });
    // Requests already waiting are failed by whoever listens for the close (connect.ts calls failAll).
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    expect(settled).toBe(false);
    expect(transport.connected).toBe(false);
  });
});

describe('bridge URL', () => {
  it('takes the token from the page URL', () => {
    expect(pageToken('?token=abc123')).toBe('abc123');
    expect(pageToken('?x=1&token=a%2Bb')).toBe('a+b');
    expect(pageToken('')).toBeUndefined();
    expect(pageToken('?token=')).toBeUndefined();
  });

  it('builds ws:// or wss:// on the page host', () => {
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:5200', search: '' }, 'a+b')).toBe(
      'ws://127.0.0.1:5200/bridge?token=a%2Bb',
    );
    expect(bridgeUrl({ protocol: 'https:', host: 'example.test', search: '' }, 't')).toBe(
      'wss://example.test/bridge?token=t',
    );
  });
});
