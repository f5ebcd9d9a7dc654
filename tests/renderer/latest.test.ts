import { describe, expect, it } from 'vitest';
import { LatestWins } from '../../renderer/src/lib/latest.ts';

/** A request the test answers by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function harness() {
  const calls: { input: number; answer: ReturnType<typeof deferred<string>> }[] = [];
  const results: [string, number][] = [];
  const errors: [unknown, number][] = [];
  const latest = new LatestWins<number, string>(
    (input) => {
      const answer = deferred<string>();
      calls.push({ input, answer });
      return answer.promise;
    },
    { result: (o, i) => results.push([o, i]), error: (e, i) => errors.push([e, i]) },
  );
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { calls, results, errors, latest, settle };
}

describe('LatestWins', () => {
  it('sends at once when idle and delivers the reply', async () => {
    const h = harness();
    h.latest.push(1);
    expect(h.calls.map((c) => c.input)).toEqual([1]);
    h.calls[0]?.answer.resolve('one');
    await h.latest.idle();
    expect(h.results).toEqual([['one', 1]]);
    expect(h.latest.busy).toBe(false);
  });

  it('keeps one request in flight and sends only the newest of what queued meanwhile', async () => {
    const h = harness();
    h.latest.push(1);
    h.latest.push(2);
    h.latest.push(3);
    h.latest.push(4);
    expect(h.calls.map((c) => c.input)).toEqual([1]);
    h.calls[0]?.answer.resolve('one');
    await h.settle();
    expect(h.calls.map((c) => c.input)).toEqual([1, 4]);
    h.calls[1]?.answer.resolve('four');
    await h.latest.idle();
    // The first reply is shown while the drag goes on; it is never shown after a newer one.
    expect(h.results).toEqual([
      ['one', 1],
      ['four', 4],
    ]);
  });

  it('drops replies asked for before a reset', async () => {
    const h = harness();
    h.latest.push(1);
    h.latest.push(2);
    h.latest.reset();
    h.calls[0]?.answer.resolve('one');
    await h.settle();
    expect(h.calls).toHaveLength(1); // the queued 2 was forgotten
    h.latest.push(3);
    h.calls[1]?.answer.resolve('three');
    await h.latest.idle();
    expect(h.results).toEqual([['three', 3]]);
  });

  it('reports the failure of the newest request only', async () => {
    const h = harness();
    h.latest.push(1);
    h.latest.push(2);
    h.calls[0]?.answer.reject(new Error('old'));
    await h.settle();
    expect(h.errors).toEqual([]);
    h.calls[1]?.answer.reject(new Error('new'));
    await h.latest.idle();
    expect(h.errors.map(([e, i]) => [(e as Error).message, i])).toEqual([['new', 2]]);
  });
});
