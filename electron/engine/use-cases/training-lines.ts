/**
 * The lines a training run reports as it goes (what it trains on, then one line per epoch): a terminal prints
 * them as they come; the app has the same figures in its progress events and results.
 */
import type { MixedEpoch } from '../correct/train-loop.ts';
import { describeAugment, type AugmentOptions } from '../train/augment.ts';
import { describeOptimizer, type OptimizerSpec } from '../train/optimizer.ts';
import type { EpochSummary, TrainingStart } from '../train/run-training.ts';
import { describeSchedule, type LearningRateSchedule } from '../train/schedule.ts';

export const percent = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

export function trainingStartLines(
  i: TrainingStart,
  s: {
    arch: string;
    out: string;
    dataset: string;
    validationFraction: number;
    optimizer: OptimizerSpec;
    schedule: LearningRateSchedule;
    augment: AugmentOptions;
    batchSize: number;
    seed: number;
  },
): string[] {
  const validation =
    i.valImages === 0
      ? 'no validation (the last epoch is kept)'
      : `validating on ${i.valImages} (${i.valSource === 'val' ? 'the val split' : `${s.validationFraction} of the train split, held out`})`;
  return [
    ...(i.firstEpoch > 1 ? [`resuming ${s.out} after epoch ${i.firstEpoch - 1}`] : []),
    `training ${s.arch} (${i.parameters.toLocaleString('en-US')} parameters) on ${i.trainImages} images of ` +
      `${s.dataset} (${i.classes} classes), ${validation}, ${i.replicas} replica(s)`,
    `${describeOptimizer(s.optimizer)}; schedule ${describeSchedule(s.schedule)}; ` +
      `augment ${describeAugment(s.augment)}; batch ${s.batchSize}; seed ${s.seed}`,
  ];
}

export function epochLine(r: EpochSummary, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, acc ${percent(r.accuracy)}, ` +
    `val loss ${Number.isNaN(r.valLoss) ? 'n/a' : r.valLoss.toFixed(4)}, val acc ${percent(r.valAccuracy)}, ` +
    `lr ${r.learningRate.toPrecision(3)}, ${r.imagesPerSecond.toFixed(0)} images/s, ${r.seconds.toFixed(1)} s`
  );
}

export function mixedEpochLine(r: MixedEpoch, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, acc ${percent(r.accuracy)}, ` +
    `val mean (clean + ${r.valAccuracy.length - 1} levels) ${percent(r.valMean)} ` +
    `[${r.valAccuracy.map((a) => (a * 100).toFixed(1)).join(' ')}], lr ${r.learningRate.toPrecision(3)}, ` +
    `${r.imagesPerSecond.toFixed(0)} images/s, ${r.seconds.toFixed(1)} s`
  );
}
