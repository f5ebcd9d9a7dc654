import type { Command } from 'commander';
import { FINE_TUNE_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { checkInput, checkOutput, DATASET, MODEL_FOLDER, OUTPUT_FOLDER } from '../input-check.ts';
import { parsed } from '../options.ts';
import { addMixedOptions, checkMixedWorkspace, runMixedCommand, type MixedFlags } from '../mixed-command.ts';

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
      // The paths first (runMixedCommand checks them too): the layers' parser loads tfjs.
      await checkInput('--model', flags.model, MODEL_FOLDER);
      await checkInput('--dataset', flags.dataset, DATASET);
      await checkOutput('--out', flags.out, OUTPUT_FOLDER);
      await checkMixedWorkspace(flags);
      const { parseFineTuneLayers } = await import('../../correct/fine-tune.ts');
      parsed(parseFineTuneLayers)(flags.layers);
      await runMixedCommand(program, 'finetune.train', flags, FINE_TUNE_DEFAULTS.optimizer.learningRate, {
        layers: flags.layers,
      });
    });
}
