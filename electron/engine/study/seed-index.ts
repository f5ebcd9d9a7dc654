/**
 * Which seed of a study one task of a job array runs. Pure, so the CLI refuses a bad index before it loads
 * the engine or makes the study folder.
 */

/**
 * Why `index` cannot pick a seed of a study of `seeds` seeds (undefined when it can). The index counts from
 * 0, as Slurm's SLURM_ARRAY_TASK_ID does, so a job script passes it straight through.
 */
export function seedIndexProblem(index: number, seeds: number): string | undefined {
  if (seeds < 2)
    return `--seed-index runs one seed of a study of several (--seeds 2 or more); a study of ${seeds} seed runs whole: leave --seed-index out`;
  if (!Number.isInteger(index) || index < 0 || index >= seeds)
    return `--seed-index ${index} is out of range: the study's ${seeds} seeds are indices 0 to ${seeds - 1} (counted from 0, as Slurm's array task ids)`;
  return undefined;
}

/**
 * A command line of a seed task without its --seed-index: the command that runs the whole study in one
 * process, which the merged report records (as a study run in one process records its own).
 */
export function withoutSeedIndex(command: string): string {
  return command.replace(/\s--seed-index(?:=|\s+)\S+/g, '');
}
