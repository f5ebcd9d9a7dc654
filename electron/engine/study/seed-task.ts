/**
 * A study split by seed: one task of a job array (`deepcorrect study --seeds N --seed-index K --out DIR`)
 * runs the seed at index K into the study folder, which other tasks write into at the same time on a
 * shared file system with no lock between them. So a task writes only files of its own seed: the seed's
 * folder (seed-<s>/, its ranking and models), its stage records (stages/seed-<s>-*.json) and its task
 * record, seed-<s>/seed-task.json, the config it runs (written when it starts, atomically) and, once every
 * stage of the seed has finished, its results. The study's shared files (study.json, report.json,
 * report.html) are left to `deepcorrect study merge` (merge-study.ts), run once every task has finished.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StudyConfig, StudyTiming } from '../../../shared/study.ts';
import type { PathRecording } from '../io/recorded-path.ts';
import type { SeedRun } from './assemble-report.ts';
import {
  checkSameSettings,
  readStudyConfig,
  STUDY_FILE,
  StudyFolder,
  StudyFolderError,
} from './study-folder.ts';
import type { SeedLayout } from './study-layout.ts';

export const SEED_TASK_FILE = 'seed-task.json';
export const SEED_TASK_FORMAT = 'deepcorrect-study-seed-task';
export const SEED_TASK_VERSION = 1;

/** What a finished seed task ran and measured: everything the merge needs to write the report. */
export interface SeedTaskResult {
  backend: string;
  device: string;
  /** The task's command line (with its --seed-index), recorded as paths are. */
  command?: string;
  classes: string[];
  baseParameters: number;
  /** SHA-256 of the base model's weights as loaded (models/weights-hash.ts): every seed must share them. */
  baseWeightsSha256: string;
  /** The seed's stages, in the order they ran, as a study run in one process lists them. */
  timings: StudyTiming[];
  seconds: number;
  run: Omit<SeedRun, 'layout'>;
}

/** seed-<s>/seed-task.json: the task's config from its start; `result` once the seed has finished. */
export interface SeedTaskRecord {
  format: typeof SEED_TASK_FORMAT;
  version: typeof SEED_TASK_VERSION;
  /** The seed's index in the config's seeds (from 0) and their count. */
  index: number;
  count: number;
  seed: number;
  config: StudyConfig;
  result?: SeedTaskResult;
}

/** The names a study folder holds at its top; anything else means the folder is not this study's. */
const SEED_DIR = /^seed-\d+$/;
const STUDY_NAMES = new Set([STUDY_FILE, 'report.json', 'report.html', 'stages']);

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A seed task's record in `seedDir`, undefined where there is none; refused when it is not one. */
export async function readSeedTask(seedDir: string): Promise<SeedTaskRecord | undefined> {
  const file = path.join(seedDir, SEED_TASK_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StudyFolderError(file, `unreadable (${(error as Error).message})`);
  }
  let value: Partial<SeedTaskRecord>;
  try {
    value = JSON.parse(text) as Partial<SeedTaskRecord>;
  } catch (error) {
    throw new StudyFolderError(
      file,
      `not JSON (${(error as Error).message}): delete it to run the seed afresh`,
    );
  }
  if (value.format !== SEED_TASK_FORMAT || value.version !== SEED_TASK_VERSION)
    throw new StudyFolderError(
      file,
      `not a seed task's record of format ${SEED_TASK_FORMAT} version ${SEED_TASK_VERSION}`,
    );
  return value as SeedTaskRecord;
}

function taskRecord(
  layout: SeedLayout,
  index: number,
  config: StudyConfig,
  result?: SeedTaskResult,
): SeedTaskRecord {
  return {
    format: SEED_TASK_FORMAT,
    version: SEED_TASK_VERSION,
    index,
    count: config.seeds?.length ?? 1,
    seed: layout.seed,
    config,
    ...(result === undefined ? {} : { result }),
  };
}

const SAME_SETTINGS = 'run every seed with the same settings, or choose a new folder';

/**
 * Opens the study folder `dir` for the seed task of `layout` (index `index` of the config's seeds). The
 * folder may be new, or hold this study's other seeds (their tasks running now, or finished, or merged); the
 * seed's own folder must be new or empty, or hold this seed's task, which is resumed with `resume`, as a
 * study's folder is. A resume may change the variants alone, as a study's may. Writes the seed's folder and
 * its task record, and makes stages/ if missing: nothing another task writes.
 */
export async function openSeedTask(
  dir: string,
  config: StudyConfig,
  layout: SeedLayout,
  index: number,
  resume: boolean,
  paths: Omit<PathRecording, 'absolute'> = {},
): Promise<StudyFolder> {
  const folder = path.resolve(dir);
  const names = await entries(folder);
  const stray = names.filter((n) => !STUDY_NAMES.has(n) && !SEED_DIR.test(n));
  if (stray.length > 0)
    throw new StudyFolderError(
      folder,
      `holds ${stray.slice(0, 3).join(', ')}, which no study writes: choose a new or empty folder, or the folder of this study's other seeds`,
    );
  const within = { within: folder, ...paths };
  if (names.includes(STUDY_FILE)) {
    const seedDirs = names.filter((n) => SEED_DIR.test(n));
    const tasks = await Promise.all(seedDirs.map((n) => readSeedTask(path.join(folder, n))));
    if (tasks.every((t) => t === undefined))
      throw new StudyFolderError(
        folder,
        'holds a study run in one process: resume it without --seed-index, or choose a new folder',
      );
    checkSameSettings(folder, await readStudyConfig(folder), config, within, SAME_SETTINGS);
  }
  // Other seeds' tasks of another study in the folder (a --seeds 3 task beside --seeds 2 ones): refused now,
  // not hours later by the merge. A record another task is writing is whole or absent (atomic writes); an
  // unreadable one is left for the merge to name.
  for (const name of names.filter((n) => SEED_DIR.test(n) && n !== layout.dir)) {
    const other = await readSeedTask(path.join(folder, name)).catch(() => undefined);
    if (other !== undefined)
      checkSameSettings(path.join(folder, name, SEED_TASK_FILE), other.config, config, within, SAME_SETTINGS);
  }
  const seedDir = path.join(folder, layout.dir);
  const own = await entries(seedDir);
  const record = taskRecord(layout, index, config);
  let write = true;
  if (own.length > 0) {
    const earlier = await readSeedTask(seedDir);
    if (earlier === undefined)
      throw new StudyFolderError(
        seedDir,
        `holds seed ${layout.seed} of a study run in one process (no ${SEED_TASK_FILE}): resume that study without --seed-index, or choose a new folder`,
      );
    if (!resume)
      throw new StudyFolderError(
        seedDir,
        `already holds seed index ${index} (seed ${layout.seed}) of a study: resume it (--resume) or choose a new folder`,
      );
    write = checkSameSettings(seedDir, earlier.config, config, within, SAME_SETTINGS);
  }
  const study = await StudyFolder.forSeedTask(folder);
  // A changed set of variants: the seed is not finished until they have run, so the old result goes.
  if (write) await study.writeJson(layout.file(SEED_TASK_FILE), record);
  return study;
}

/** Records the seed's results in its task record, last of all its writes: the seed task has finished. */
export async function finishSeedTask(
  folder: StudyFolder,
  layout: SeedLayout,
  index: number,
  config: StudyConfig,
  result: SeedTaskResult,
): Promise<void> {
  await folder.writeJson(layout.file(SEED_TASK_FILE), taskRecord(layout, index, config, result));
}

/**
 * A study split by seed, then resumed in one process (without --seed-index), say to add variants: each seed
 * task's record is brought up to this run's config and that seed's results, as its task would have written
 * them, so that a later merge gives this run's report and a later task resumes these settings. Seeds without
 * a task record (a study always run in one process) are left as they are.
 */
export async function refreshSeedTasks(
  dir: string,
  folder: StudyFolder,
  config: StudyConfig,
  runs: readonly SeedRun[],
  shared: Omit<SeedTaskResult, 'timings' | 'seconds' | 'run' | 'baseWeightsSha256'>,
  timings: readonly StudyTiming[],
  baseWeightsSha256: () => Promise<string>,
): Promise<void> {
  let hash: string | undefined;
  for (const [index, { layout, ...run }] of runs.entries()) {
    if (layout.dir === '' || (await readSeedTask(path.join(dir, layout.dir))) === undefined) continue;
    hash ??= await baseWeightsSha256();
    const own = timings.filter((t) => t.stage.startsWith(`seed ${layout.seed}: `));
    await finishSeedTask(folder, layout, index, config, {
      ...shared,
      baseWeightsSha256: hash,
      timings: own,
      seconds: own.reduce((sum, t) => sum + t.seconds, 0),
      run,
    });
  }
}
