import { AbortError } from './fit.ts';

export interface RunStepsOptions {
  /**
   * Start step i + 1 before awaiting step i's result. Only for steps whose `start` queues all of the step's
   * work, weight updates included, before its first await (DataParallelTrainer.overlapsSteps): then a GPU's
   * queue holds the next step while the CPU waits for the previous step's loss to come back.
   */
  overlap: boolean;
  signal?: AbortSignal;
}

/**
 * Runs `count` training steps in order: `prepare(i)` makes step i's input (awaited, so steps are queued in
 * order however long each takes), `start` queues the step and returns its result's promise, `finish` takes
 * each result in order. Between steps a turn of the event loop, so that a cancel (and the host's IPC) is
 * seen within one step; a cancel or a failure waits for the step in flight, which frees its own tensors, before it ends
 * the run.
 */
export async function runSteps<I, R>(
  count: number,
  prepare: (i: number) => I | Promise<I>,
  start: (input: I, i: number) => Promise<R>,
  finish: (result: R, input: I, i: number) => void,
  options: RunStepsOptions,
): Promise<void> {
  let inFlight: { result: Promise<R>; input: I; i: number } | undefined;
  try {
    for (let i = 0; i < count; i++) {
      // setImmediate: a turn through I/O without setTimeout's 1 ms floor, a tenth of a GPU step.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) throw new AbortError();
      const input = await prepare(i);
      const step = { result: start(input, i), input, i };
      // Handled from the start: a step that fails while the previous one is awaited must not count as an
      // unhandled rejection (which ends a Node process); its error still reaches the await below.
      step.result.catch(() => undefined);
      if (!options.overlap) {
        finish(await step.result, input, i);
        continue;
      }
      const previous = inFlight;
      inFlight = step;
      if (previous !== undefined) finish(await previous.result, previous.input, previous.i);
    }
    if (inFlight !== undefined) {
      const last = inFlight;
      inFlight = undefined;
      finish(await last.result, last.input, last.i);
    }
  } finally {
    if (inFlight !== undefined) await inFlight.result.catch(() => undefined);
  }
}
