import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CORRECT_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import type { Placement } from '../../correct/build.ts';
import { addMixedOptions, runMixedCommand, type MixedFlags } from '../mixed-command.ts';
import { checkInput, RANKING_FILE } from '../input-check.ts';
import { fraction, placementOption, positiveInt } from '../options.ts';

interface CorrectFlags extends MixedFlags {
  ranking?: string;
  rank?: string;
  rankPerClass: number;
  layers?: string;
  beta: number;
  placement: Placement;
}

function splitList(text: string | undefined): string[] | undefined {
  const names = text
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names === undefined || names.length === 0 ? undefined : names;
}

export function registerCorrect(program: Command): void {
  addMixedOptions(
    program
      .command('correct')
      .description('train DeepCorrect correction units on the top-ranked filters of chosen conv layers'),
    CORRECT_DEFAULTS.optimizer.learningRate,
  )
    .option('--ranking <file>', 'a ranking JSON written by deepcorrect rank --out')
    .option('--rank <method>', 'rank now instead: proxy or oracle')
    .option(
      '--rank-per-class <n>',
      'ranking images per class for --rank',
      positiveInt,
      CORRECT_DEFAULTS.rankPerClass,
    )
    .option('--layers <names>', 'comma-separated conv layers to correct (default: every ranked layer)')
    .option(
      '--beta <fraction>',
      "share of each layer's filters to correct (top of the ranking)",
      fraction(0, 1),
      CORRECT_DEFAULTS.beta,
    )
    .option(
      '--placement <where>',
      "units before (pre) or after (post) the layer's activation",
      placementOption,
      CORRECT_DEFAULTS.placement,
    )
    .action(async (flags: CorrectFlags) => {
      if ((flags.ranking === undefined) === (flags.rank === undefined))
        throw new InvalidArgumentError('give either --ranking <file> or --rank proxy|oracle');
      if (flags.rank !== undefined && flags.rank !== 'proxy' && flags.rank !== 'oracle')
        throw new InvalidArgumentError(`--rank must be proxy or oracle, not ${flags.rank}`);
      if (flags.ranking !== undefined) await checkInput('--ranking', flags.ranking, RANKING_FILE);
      const placement: Placement = flags.placement;
      const layers = splitList(flags.layers);
      await runMixedCommand(program, 'correct.train', flags, CORRECT_DEFAULTS.optimizer.learningRate, {
        ...(layers ? { layers } : {}),
        beta: flags.beta,
        ...(flags.ranking === undefined ? {} : { ranking: path.resolve(flags.ranking) }),
        ...(flags.rank === undefined ? {} : { rankMethod: flags.rank }),
        rankPerClass: flags.rankPerClass,
        placement,
      });
    });
}
