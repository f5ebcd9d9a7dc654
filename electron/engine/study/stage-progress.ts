import { etaSeconds, type Progress, type ProgressListener } from '../../../shared/progress.ts';

/**
 * One progress bar over a study's stages. Each stage has a weight (its expected share of the time, from the
 * demo's measured stage times) so the bar and its ETA move evenly across stages of very different lengths;
 * a stage skipped on resume counts as done at once.
 */
export class StageProgress {
  private readonly total: number;
  private done = 0;
  /** Weight of stages skipped on resume: done, but took no time, so they stay out of the ETA. */
  private skipped = 0;
  private readonly started = performance.now();

  constructor(
    private readonly weights: Readonly<Record<string, number>>,
    private readonly listener?: ProgressListener,
  ) {
    this.total = Object.values(weights).reduce((a, b) => a + b, 0);
  }

  /** A listener for the stage's own progress, reported as a share of the whole study. */
  stage(name: string, label: string): ProgressListener {
    const weight = this.weights[name] ?? 0;
    return (p: Progress) => this.report(label, this.done + weight * Math.min(1, Math.max(0, p.fraction)), p);
  }

  skip(name: string, label: string): void {
    this.skipped += this.weights[name] ?? 0;
    this.finish(name, label);
  }

  finish(name: string, label: string): void {
    this.done += this.weights[name] ?? 0;
    this.report(label, this.done);
  }

  private report(label: string, weightDone: number, inner?: Progress): void {
    if (this.listener === undefined) return;
    const fraction = this.total === 0 ? 1 : Math.min(1, weightDone / this.total);
    const worked = this.total - this.skipped;
    const eta = etaSeconds(
      worked <= 0 ? 1 : (weightDone - this.skipped) / worked,
      (performance.now() - this.started) / 1000,
    );
    this.listener({
      stage: inner === undefined ? label : `${label}: ${inner.stage}`,
      fraction,
      ...(eta === undefined ? {} : { etaSeconds: eta }),
      ...(inner?.metrics === undefined ? {} : { metrics: inner.metrics }),
    });
  }
}
