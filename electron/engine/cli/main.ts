import { Command } from 'commander';
import { APP_VERSION } from '../../../shared/version.ts';
import { VERBOSE_ENV } from '../backend/dawn-probe.ts';
import { gpuJobError, onGpuFault } from '../backend/gpu-errors.ts';
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

/** The command running, for GPU failure messages. */
let step = 'deepcorrect';

/** `deepcorrect`: every engine operation from the command line, for scripted studies and tests. */
export function buildProgram(): Command {
  const program = new Command('deepcorrect')
    .description('DeepCorrect Workbench engine: correct image classifiers against blur and noise')
    .version(APP_VERSION)
    .showHelpAfterError()
    .option(
      '--backend <name>',
      'force a backend: tensorflow, webgpu, wasm or cpu (or set DEEPCORRECT_BACKEND)',
    )
    .option('--verbose', `also show Dawn's and the Vulkan driver's own messages (or set ${VERBOSE_ENV}=1)`);
  program.hook('preAction', (root, action) => {
    // The engine reads this wherever it loads Dawn, in this process and in the processes it starts.
    if (root.opts<{ verbose?: boolean }>().verbose === true) process.env[VERBOSE_ENV] = '1';
    const names: string[] = [];
    for (let c: Command | null = action; c !== null && c !== root; c = c.parent) names.unshift(c.name());
    step = `deepcorrect ${names.join(' ')}`;
  });
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

const gpuFailure = (error: unknown) => gpuJobError(error, { step });

// A failed GPU allocation does not throw: the ops go on returning zeros. So any GPU failure ends the command
// at once; files are written atomically, so nothing half-written stays behind.
onGpuFault(() => {
  process.stderr.write(`deepcorrect: ${gpuFailure(undefined)?.message ?? 'GPU failure'}\n`);
  process.exit(1);
});

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = gpuFailure(error)?.message ?? (error instanceof Error ? error.message : String(error));
  process.stderr.write(`deepcorrect: ${message}\n`);
  process.exitCode = 1;
}
