/**
 * The training-step loop (train/run-steps.ts): steps start in order, finish in order, the next step starts
 * before the previous one's result is awaited only where overlap is allowed, and a cancel or a failure waits
 * for the step in flight without leaving an unhandled rejection behind.
 */
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../electron/engine/train/run-steps.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';

interface Deferred {
  promise: Promise<number>;
  resolve: (v: number) => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: (v: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Steps whose results resolve a few event-loop turns after they start, logging what happens when. */
function recorder(count: number, fail?: number) {
  const log: string[] = [];
  const steps = Array.from({ length: count }, deferred);
  const start = (input: string, i: number): Promise<number> => {
    log.push(`start ${i} ${input}`);
    setTimeout(() => {
      log.push(`done ${i}`);
      if (i === fail) steps[i]!.reject(new Error(`step ${i} failed`));
      else steps[i]!.resolve(i * 10);
    }, 5);
    return steps[i]!.promise;
  };
  const finish = (result: number, input: string, i: number): void => {
    log.push(`finish ${i} ${input} ${result}`);
  };
  return { log, start, finish, prepare: (i: number) => Promise.resolve(`in${i}`) };
}

describe('runSteps', () => {
  it('without overlap, finishes each step before starting the next', async () => {
    const r = recorder(3);
    await runSteps(3, r.prepare, r.start, r.finish, { overlap: false });
    expect(r.log).toEqual([
      'start 0 in0',
      'done 0',
      'finish 0 in0 0',
      'start 1 in1',
      'done 1',
      'finish 1 in1 10',
      'start 2 in2',
      'done 2',
      'finish 2 in2 20',
    ]);
  });

  it('with overlap, starts step i + 1 before finishing step i, and finishes them all in order', async () => {
    const r = recorder(3);
    await runSteps(3, r.prepare, r.start, r.finish, { overlap: true });
    expect(r.log.filter((l) => !l.startsWith('done'))).toEqual([
      'start 0 in0',
      'start 1 in1',
      'finish 0 in0 0',
      'start 2 in2',
      'finish 1 in1 10',
      'finish 2 in2 20',
    ]);
    expect(r.log.indexOf('start 1 in1')).toBeLessThan(r.log.indexOf('done 0'));
  });

  it('queues steps in order even when an earlier input takes longer to prepare', async () => {
    const r = recorder(2);
    const prepare = (i: number) =>
      new Promise<string>((resolve) => setTimeout(() => resolve(`in${i}`), i === 0 ? 20 : 0));
    await runSteps(2, prepare, r.start, r.finish, { overlap: true });
    expect(r.log.filter((l) => l.startsWith('start'))).toEqual(['start 0 in0', 'start 1 in1']);
  });

  it('a cancel stops before the next step and waits for the one in flight', async () => {
    const r = recorder(5);
    const controller = new AbortController();
    const finish = (result: number, input: string, i: number): void => {
      r.finish(result, input, i);
      if (i === 0) controller.abort();
    };
    await expect(
      runSteps(5, r.prepare, r.start, finish, { overlap: true, signal: controller.signal }),
    ).rejects.toThrow(AbortError);
    // Step 1 was already queued when step 0 finished: the cancel waited for it and started nothing more.
    expect(r.log).toContain('done 1');
    expect(r.log.some((l) => l.startsWith('start 2'))).toBe(false);
  });

  it("a step's failure reaches the caller after the step in flight has ended, with no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const r = recorder(4, 1);
      await expect(runSteps(4, r.prepare, r.start, r.finish, { overlap: true })).rejects.toThrow(
        'step 1 failed',
      );
      expect(r.log).toContain('done 2');
      expect(r.log.some((l) => l.startsWith('finish 1'))).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });
});
