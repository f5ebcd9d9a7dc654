import type { JobInfo } from '../../../shared/bridge/contract.ts';
import type { Progress } from '../../../shared/progress.ts';
import { formatDuration, formatPercent } from './format.ts';

/** A job's state in a line: its stage, share done and ETA while it runs, its error once failed, else its status. */
export function jobStatusLine(job: JobInfo, progress: Progress | undefined): string {
  if (job.status === 'running' && progress !== undefined) {
    const eta = progress.etaSeconds === undefined ? '' : `, ETA ${formatDuration(progress.etaSeconds)}`;
    return `${progress.stage}: ${formatPercent(progress.fraction)}${eta}`;
  }
  return job.status === 'failed' ? `failed: ${job.error ?? ''}` : job.status;
}
