import { Command } from 'commander';
import { registerBench } from './commands/bench.ts';
import { registerDataset } from './commands/dataset.ts';
import { registerDemo } from './commands/demo.ts';
import { registerCorrect } from './commands/correct.ts';
import { registerDistort } from './commands/distort.ts';
import { registerEvaluate } from './commands/evaluate.ts';
import { registerFineTune } from './commands/finetune.ts';
import { registerRank } from './commands/rank.ts';
import { registerStudy } from './commands/study.ts';
import { registerServe } from './commands/serve.ts';
import { registerStart } from './commands/start.ts';
import { registerTrain } from './commands/train.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerWorkspace } from './commands/workspace.ts';

/** `deepcorrect`: every engine operation from the command line, for scripted studies and tests. */
export function buildProgram(): Command {
  const program = new Command('deepcorrect')
    .description('DeepCorrect Workbench engine: correct image classifiers against blur and noise')
    .version('0.1.0')
    .showHelpAfterError()
    .option(
      '--backend <name>',
      'force a backend: tensorflow, webgpu, wasm or cpu (or set DEEPCORRECT_BACKEND)',
    );
  registerDoctor(program);
  registerBench(program);
  registerDemo(program);
  registerDataset(program);
  registerDistort(program);
  registerEvaluate(program);
  registerRank(program);
  registerTrain(program);
  registerCorrect(program);
  registerFineTune(program);
  registerStudy(program);
  registerWorkspace(program);
  registerServe(program);
  registerStart(program);
  return program;
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`deepcorrect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
