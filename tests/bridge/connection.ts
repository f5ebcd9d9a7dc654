/** A WebSocket client of the bridge for tests: requests with replies, every job record and each job's latest progress. */
import WebSocket from 'ws';
import type { JobInfo } from '../../shared/bridge/contract.ts';
import { decodeFrame, encodeFrame } from '../../shared/bridge/codec.ts';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import type { Progress } from '../../shared/progress.ts';

export class Connection {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: ServerMessage) => void>();
  readonly jobs: JobInfo[] = [];
  readonly progress = new Map<string, Progress>();
  readonly orphans: ServerMessage[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = decodeFrame(new Uint8Array(data)) as ServerMessage;
      if (m.kind === 'job') this.jobs.push(m.job);
      else if (m.kind === 'progress') this.progress.set(m.jobId, m.progress);
      else if (this.waiting.has(m.id)) this.waiting.get(m.id)?.(m);
      else this.orphans.push(m);
    });
  }
  static open(url: string, origin?: string): Promise<Connection> {
    const ws = new WebSocket(url, origin ? { origin } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Connection(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(name: string, input: unknown): Promise<ServerMessage> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(encodeFrame({ kind: 'request', id, name, input }));
    });
  }
  async ok<T>(name: string, input: unknown): Promise<T> {
    const reply = await this.send(name, input);
    if (reply.kind !== 'reply' || !reply.ok) throw new Error(`${name} failed: ${JSON.stringify(reply)}`);
    return reply.output as T;
  }
  async until(predicate: (jobs: JobInfo[]) => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!predicate(this.jobs)) {
      if (Date.now() > end) throw new Error(`timed out; jobs: ${JSON.stringify(this.jobs.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
