/**
 * The report's statistics over seeds: each model's per-seed accuracies summarised (mean, sd, 95% t interval),
 * and DeepCorrect against fine-tuning as paired tests on the same test images (shared/stats).
 */
import { mcnemar } from '../../../shared/stats/mcnemar.ts';
import { pairedBootstrap, pairedBootstrapOfMeans } from '../../../shared/stats/paired-bootstrap.ts';
import type { Interval } from '../../../shared/stats/summary.ts';
import { verdict } from '../../../shared/stats/verdict.ts';
import type { DifferenceTest, PairedComparison, StudyModelRole } from '../../../shared/study.ts';

export const CONFIDENCE = 0.95;
export const REPLICATES = 10_000;

/** One seed's per-image correctness of a model, per condition (clean first). */
export interface SeedCorrectness {
  seed: number;
  /** The test images' split indices, to check both models saw the same images. */
  images: readonly number[] | undefined;
  conditions: Uint8Array[];
}

function tested(difference: number, interval: Interval, p: number): DifferenceTest {
  const words = verdict(interval, p);
  return { difference, interval, p, outcome: words.outcome, text: words.text };
}

function sameImages(a: SeedCorrectness, b: SeedCorrectness): boolean {
  if (a.images === undefined || b.images === undefined) return true;
  return a.images.length === b.images.length && a.images.every((v, i) => v === b.images?.[i]);
}

/**
 * first minus second, per condition and for the mean over every condition: a paired bootstrap over seeds and
 * images for the interval and p, and an exact McNemar test per seed and condition.
 */
export function comparePaired(
  roles: { first: StudyModelRole; second: StudyModelRole },
  first: readonly SeedCorrectness[],
  second: readonly SeedCorrectness[],
  conditions: readonly string[],
  bootstrapSeed: number,
): PairedComparison {
  if (first.length !== second.length || first.some((f, i) => f.seed !== second[i]?.seed))
    throw new Error('paired tests need both models on the same seeds');
  first.forEach((f, i) => {
    if (!sameImages(f, second[i] as SeedCorrectness))
      throw new Error(`seed ${f.seed}: the two models were tested on different images`);
  });
  const options = { seed: bootstrapSeed, replicates: REPLICATES, confidence: CONFIDENCE };
  const at = (s: SeedCorrectness, k: number): Uint8Array => {
    const values = s.conditions[k];
    if (values === undefined) throw new Error(`seed ${s.seed} has no results for condition ${k}`);
    return values;
  };
  const perCondition = conditions.map((condition, k) => {
    const pairs = first.map((f, i) => ({ first: at(f, k), second: at(second[i] as SeedCorrectness, k) }));
    const boot = pairedBootstrap(pairs, options);
    return {
      condition,
      ...tested(boot.difference, boot.interval, boot.p),
      mcnemar: pairs.map((pair, i) => ({
        seed: (first[i] as SeedCorrectness).seed,
        ...mcnemar(pair.first, pair.second),
      })),
    };
  });
  const mean = pairedBootstrapOfMeans(
    first.map((f, i) => ({ first: f.conditions, second: (second[i] as SeedCorrectness).conditions })),
    options,
  );
  return {
    ...roles,
    confidence: CONFIDENCE,
    replicates: REPLICATES,
    bootstrapSeed,
    conditions: perCondition,
    meanWithClean: tested(mean.difference, mean.interval, mean.p),
  };
}
