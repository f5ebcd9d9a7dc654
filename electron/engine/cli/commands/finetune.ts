import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  FINE_TUNE_OPTIMIZER,
  fineTune,
  parseFineTuneLayers,
  type FineTuneLayers,
} from '../../correct/fine-tune.ts';
import { addMixedOptions, commandLine, runMixedCommand, type MixedFlags } from './correct.ts';

interface FineTuneFlags extends MixedFlags {
  layers: string;
}

export function registerFineTune(program: Command): void {
  addMixedOptions(
    program
      .command('finetune')
      .description(
        'the fine-tuning baseline: the same mixed clean/distorted data and budget, training the base network',
      ),
    FINE_TUNE_OPTIMIZER.learningRate,
  )
    .option('--layers <which>', 'all, or first:<k> (the first k conv layers)', 'all')
    .action(async (flags: FineTuneFlags) => {
      let layers: FineTuneLayers;
      try {
        layers = parseFineTuneLayers(flags.layers);
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
      await runMixedCommand(program, flags, FINE_TUNE_OPTIMIZER.learningRate, (context, signal) =>
        fineTune({
          ...context.common,
          model: context.base.model,
          layers,
          baseMetadata: context.base.metadata,
          outDir: flags.out,
          baseModelPath: flags.model,
          command: commandLine(),
          signal,
        }),
      );
    });
}
