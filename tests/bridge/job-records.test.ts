/**
 * Issue 15: the engine's error classes cross the bridge as typed codes, for quick requests and failed jobs
 * alike, and the job queue makes job ids unique where it makes them and publishes progress apart from the
 * job's record.
 */
import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../shared/bridge/contract.ts';
import { BridgeError } from '../../shared/bridge/protocol.ts';
import { DistortionSpecError } from '../../shared/distortions.ts';
import type { Progress } from '../../shared/progress.ts';
import { GpuJobError } from '../../electron/engine/backend/gpu-errors.ts';
import { DatasetError } from '../../electron/engine/data/errors.ts';
import { errorCode } from '../../electron/engine/errors/error-code.ts';
import { JobQueue, type JobRun } from '../../electron/engine/host/jobs.ts';
import { FileProblemError } from '../../electron/engine/io/file-error.ts';
import { ModelError } from '../../electron/engine/models/model-error.ts';
import { RankingFileError } from '../../electron/engine/rank/open-ranking.ts';
import { HandleClosedError } from '../../electron/engine/session/handle-registry.ts';
import { StudyFolderError } from '../../electron/engine/study/study-folder.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';
import { WorkspaceError } from '../../electron/engine/workspace/errors.ts';
import { describeError } from '../../renderer/src/bridge/errors.ts';

const gpu = (kind: 'lost' | 'out-of-memory' | 'too-large' | 'error'): GpuJobError =>
  new GpuJobError({ kind, message: 'x', device: 'test GPU' }, { step: 'a step', backend: 'webgpu' });

describe('error codes', () => {
  it('name the kind of each engine error, a subclass before the class it extends', () => {
    const cases: [unknown, string][] = [
      [new HandleClosedError('model handle model-1 was closed to free memory: open it again'), 'evicted'],
      [new RankingFileError('/r.json', 'not JSON'), 'ranking-file'],
      [new DatasetError('/d', 'no images'), 'dataset'],
      [new ModelError('/m', 'no model.json'), 'model'],
      [new WorkspaceError('/w', 'no manifest'), 'workspace'],
      [new StudyFolderError('/s', 'holds another study'), 'file'],
      [new FileProblemError('/f', 'unreadable'), 'file'],
      [new DistortionSpecError('unknown distortion "x"'), 'invalid-input'],
      [new AbortError(), 'cancelled'],
      [gpu('out-of-memory'), 'out-of-memory'],
      [gpu('too-large'), 'out-of-memory'],
      [gpu('lost'), 'gpu'],
      [new RangeError('Array buffer allocation failed'), 'out-of-memory'],
      [Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), 'file'],
      [new BridgeError('invalid-input', 'a use case refused it'), 'invalid-input'],
      [new Error('layer conv9 is not in the model'), 'engine'],
      ['a thrown string', 'engine'],
    ];
    for (const [error, code] of cases) expect(errorCode(error), String(error)).toBe(code);
  });

  it('choose the renderer’s advice by the code, not by the words', () => {
    const message = 'model handle model-1 was closed to free memory: open it again';
    expect(describeError(new BridgeError('evicted', message))).toMatch(/open it again, then retry/);
    expect(describeError(new BridgeError('engine', message))).toMatch(/Fix what it names/);
    expect(describeError(new BridgeError('out-of-memory', 'x'))).toMatch(/smaller batch/);
    expect(describeError(new BridgeError('ranking-file', '/r.json: not JSON'))).toMatch(
      /deepcorrect rank --out/,
    );
  });
});

/** A queue whose every record and progress report is kept, and a way to wait for a job's end. */
function recordingQueue(): {
  queue: JobQueue;
  records: JobInfo[];
  progress: [string, Progress][];
  ended: (id: string) => Promise<JobInfo>;
} {
  const records: JobInfo[] = [];
  const progress: [string, Progress][] = [];
  const waiting = new Map<string, (job: JobInfo) => void>();
  const queue = new JobQueue(
    (job) => {
      records.push(job);
      if (job.status !== 'queued' && job.status !== 'running') waiting.get(job.id)?.(job);
    },
    (id, p) => progress.push([id, p]),
  );
  const ended = (id: string): Promise<JobInfo> => {
    const done = records.find((j) => j.id === id && j.status !== 'queued' && j.status !== 'running');
    return done !== undefined ? Promise.resolve(done) : new Promise((resolve) => waiting.set(id, resolve));
  };
  return { queue, records, progress, ended };
}

const INPUT = { trainPerClass: 1, testPerClass: 1, epochs: 1, seed: 1, spec: { kind: 'blur' }, levels: [1] };

describe('the job queue', () => {
  it('fails a job with its error’s code, and a cancelled one without a code', async () => {
    const { queue, ended } = recordingQueue();
    const failing: JobRun = () => Promise.reject(new ModelError('/m', 'weights missing'));
    const failed = await ended(queue.submit('demo.train', 'fails', INPUT, failing));
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'model', error: '/m: weights missing' });

    const cancelled = queue.submit('demo.train', 'cancelled', INPUT, async ({ signal }) => {
      // The run starts within submit: cancel once its id is known.
      await Promise.resolve();
      queue.cancel(cancelled);
      signal.throwIfAborted();
    });
    const end = await ended(cancelled);
    expect(end.status).toBe('cancelled');
    expect(end.errorCode).toBeUndefined();
  });

  it('makes ids unique across queues (a restarted host counts from 1 again)', () => {
    const ids = [recordingQueue(), recordingQueue()].flatMap(({ queue }) =>
      [1, 2].map(() => queue.submit('demo.train', 't', INPUT, () => new Promise(() => undefined))),
    );
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(64);
  });

  it('publishes progress apart: the record changes only when the status does', async () => {
    const { queue, records, progress, ended } = recordingQueue();
    const id = queue.submit('demo.train', 'reports', INPUT, async ({ progress: report }) => {
      for (let i = 1; i <= 4; i++) {
        report({ stage: `step ${i}`, fraction: i / 4 });
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
      return { rows: [], epochs: [] };
    });
    await ended(id);
    expect(records.filter((j) => j.id === id).map((j) => j.status)).toEqual(['queued', 'running', 'done']);
    expect(records.every((j) => !('progress' in j))).toBe(true);
    expect(progress.map(([jobId, p]) => [jobId, p.stage])).toEqual(
      [1, 2, 3, 4].map((i) => [id, `step ${i}`]),
    );
  });
});
