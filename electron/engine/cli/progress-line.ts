import type { Progress } from '../../../shared/progress.ts';

/** One terminal line for a job's progress: stage, percent, figures of the moment, time left. */
export function progressLine(p: Progress): string {
  const eta = p.etaSeconds === undefined ? '' : `, ${Math.ceil(p.etaSeconds)} s left`;
  const loss = p.metrics?.loss === undefined ? '' : `, loss ${p.metrics.loss.toFixed(3)}`;
  const speed =
    p.metrics?.imagesPerSecond === undefined ? '' : `, ${p.metrics.imagesPerSecond.toFixed(0)} images/s`;
  return `\r${p.stage}: ${(p.fraction * 100).toFixed(0).padStart(3)}%${loss}${speed}${eta}   `;
}

/** A progress listener for a terminal; none when output goes to a log (the final lines say enough). */
export function terminalProgress(stream: NodeJS.WriteStream): ((p: Progress) => void) | undefined {
  return stream.isTTY ? (p) => stream.write(progressLine(p)) : undefined;
}

/** Aborts the returned signal on Ctrl-C while `work` runs, so long jobs cancel cleanly. */
export async function cancellableBySigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
