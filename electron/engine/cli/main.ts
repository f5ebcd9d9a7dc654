import { Command, InvalidArgumentError } from 'commander';
import { registerBench } from './commands/bench.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';

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
  return program;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`deepcorrect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
