import type { Command } from 'commander';
import { FINE_TUNE_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { parseFineTuneLayers } from '../../correct/fine-tune.ts';
import { parsed } from '../options.ts';
import { addMixedOptions, runMixedCommand, type MixedFlags } from '../mixed-command.ts';

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
    FINE_TUNE_DEFAULTS.optimizer.learningRate,
  )
    .option('--layers <which>', 'all, or first:<k> (the first k conv layers)', FINE_TUNE_DEFAULTS.layers)
    .action(async (flags: FineTuneFlags) => {
      parsed(parseFineTuneLayers)(flags.layers);
      await runMixedCommand(program, 'finetune.train', flags, FINE_TUNE_DEFAULTS.optimizer.learningRate, {
        layers: flags.layers,
      });
    });
}
