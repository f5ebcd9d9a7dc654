import type { Command } from 'commander';
import { APP_VERSION } from '../../../shared/version.ts';
import { VERBOSE_ENV } from '../backend/dawn-probe.ts';
import { CliCommand } from './cli-command.ts';
import { reason } from '../io/file-error.ts';
import { gpuFailureMessage, setStep } from './lazy-engine.ts';
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
  const program = new CliCommand('deepcorrect')
    .description('DeepCorrect Workbench engine: correct image classifiers against blur and noise')
    .version(APP_VERSION)
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
    setStep(`deepcorrect ${names.join(' ')}`);
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

/**
 * An error's message with any operating system code in words: a system error that reached here unwrapped,
 * or one quoted inside another message ("...: ENOENT: no such file or directory, open 'x'").
 */
function inWords(error: unknown): string {
  const system = error as NodeJS.ErrnoException | undefined;
  if (typeof system?.code === 'string' && /^E[A-Z]+$/.test(system.code)) {
    const worded = reason(error);
    if (!worded.startsWith(`${system.code}:`))
      return system.path === undefined ? worded : `${system.path}: ${worded}`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\bE[A-Z]{2,}: ([^,\n]+), [a-z]+(?: '([^']*)')?/g, (_, words: string, file?: string) =>
    file === undefined ? words : `${words} (${file})`,
  );
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = gpuFailureMessage(error) ?? inWords(error);
  process.stderr.write(`deepcorrect: ${message}\n`);
  process.exitCode = 1;
}
