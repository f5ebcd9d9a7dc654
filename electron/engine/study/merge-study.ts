/**
 * The report of a study split by seed (seed-task.ts), written once every seed's task has finished: study.json,
 * report.json and report.html, as a study run in one process writes them, from the tasks' records alone (no
 * model or dataset is opened). The figures are the one-process study's: each seed's stages are the same
 * computation wherever they ran, and the report is assembled from them in the config's seed order.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { firstDifference } from '../../../shared/shard.ts';
import { studySeeds, type StudyConfig, type StudyReport } from '../../../shared/study.ts';
import { assembleReport } from './assemble-report.ts';
import { reportHtml } from './report-page.ts';
import { withoutSeedIndex } from './seed-index.ts';
import { readSeedTask, SEED_TASK_FILE, type SeedTaskRecord, type SeedTaskResult } from './seed-task.ts';
import { configDifferences, STUDY_FILE, StudyFolder, StudyFolderError } from './study-folder.ts';
import { seedLayout } from './study-layout.ts';

export interface MergedStudy {
  outDir: string;
  config: StudyConfig;
  report: StudyReport;
}

/** A seed task found in the folder: its record and where it lies (for messages). */
interface FoundTask extends SeedTaskRecord {
  file: string;
}

const shown = (value: unknown): string => (value === undefined ? '(not set)' : JSON.stringify(value));

/** Every seed task's record in the study folder, by index; a folder with none is refused. */
async function findTasks(folder: string): Promise<FoundTask[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StudyFolderError(
      folder,
      code === 'ENOENT' ? 'no such folder' : `unreadable (${code ?? String(error)})`,
    );
  }
  const tasks: FoundTask[] = [];
  for (const name of names.filter((n) => /^seed-\d+$/.test(n)).sort()) {
    const record = await readSeedTask(path.join(folder, name));
    if (record !== undefined) tasks.push({ ...record, file: path.join(name, SEED_TASK_FILE) });
  }
  if (tasks.length === 0)
    throw new StudyFolderError(
      folder,
      "holds no seed task (the seed-<s>/seed-task.json that 'deepcorrect study --seeds N --seed-index K --out DIR' writes)",
    );
  return tasks.sort((a, b) => a.index - b.index);
}

/** The settings every task must share: the config, and where it ran the backend and the base model's weights. */
function checkSameSettings(tasks: readonly FoundTask[], folder: string): void {
  const [first] = tasks as [FoundTask];
  for (const t of tasks.slice(1)) {
    const d = firstDifference(first.config, t.config);
    if (d !== undefined)
      throw new StudyFolderError(
        folder,
        `the seed tasks ran with other settings: ${d.path} is ${shown(d.a)} in seed index ${first.index} (${first.file}) but ${shown(d.b)} in seed index ${t.index} (${t.file}); run that seed again with the study's settings (into a new folder, or after deleting seed-${t.seed}/ and stages/seed-${t.seed}-*)`,
      );
  }
  const seeds = studySeeds(first.config);
  for (const t of tasks)
    if (t.seed !== seeds[t.index] || t.count !== seeds.length)
      throw new StudyFolderError(
        folder,
        `${t.file} records seed ${t.seed} as index ${t.index} of ${t.count}, but the study's seeds are ${seeds.join(', ')}`,
      );
}

/** The finished tasks' results, refusing (by index) seeds that have not run or not finished. */
function results(tasks: readonly FoundTask[], folder: string): (SeedTaskResult & { index: number })[] {
  const [first] = tasks as [FoundTask];
  const seeds = studySeeds(first.config);
  const problems = seeds.flatMap((seed, index) => {
    const task = tasks.find((t) => t.index === index);
    if (task === undefined) return [`seed index ${index} (seed ${seed}) has not run`];
    if (task.result === undefined)
      return [`seed index ${index} (seed ${seed}) has not finished (its finished stages are kept)`];
    return [];
  });
  if (problems.length > 0)
    throw new StudyFolderError(
      folder,
      `${problems.join('; ')}: run each with --seed-index <index> --resume and the study's settings into this folder, then merge again`,
    );
  const done = tasks.map((t) => ({ ...(t.result as SeedTaskResult), index: t.index }));
  const [a] = done as [SeedTaskResult & { index: number }];
  for (const b of done.slice(1)) {
    const differs = (what: string, x: unknown, y: unknown): void => {
      if (firstDifference(x, y) !== undefined)
        throw new StudyFolderError(
          folder,
          `seed index ${a.index} and seed index ${b.index} ran ${what}: ${shown(x)} and ${shown(y)}; run the seeds alike, then merge`,
        );
    };
    differs('on other backends', a.backend, b.backend);
    differs('from other base model weights (SHA-256)', a.baseWeightsSha256, b.baseWeightsSha256);
    differs('on other classes', a.classes, b.classes);
  }
  return done;
}

/** study.json's config when the folder has one (a merge done before); refused when unreadable. */
async function recordedConfig(folder: string): Promise<StudyConfig | undefined> {
  try {
    return (JSON.parse(await readFile(path.join(folder, STUDY_FILE), 'utf8')) as { config: StudyConfig })
      .config;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StudyFolderError(folder, `${STUDY_FILE} is unreadable (${(error as Error).message})`);
  }
}

/**
 * Checks that every seed task of the study folder `dir` finished with the same settings, then writes
 * study.json (when missing, or when the tasks added variants since a merge), report.json and report.html.
 * Refusals name the setting that differs, or the seeds (by index) that have not run or not finished; then
 * nothing is written.
 */
export async function mergeStudy(dir: string): Promise<MergedStudy> {
  const outDir = path.resolve(dir);
  const tasks = await findTasks(outDir);
  checkSameSettings(tasks, outDir);
  const done = results(tasks, outDir);
  const { config } = tasks[0] as FoundTask;
  const recorded = await recordedConfig(outDir);
  const changed = recorded === undefined ? [] : configDifferences(recorded, config, { within: outDir });
  const others = changed.filter((k) => k !== 'variants');
  if (others.length > 0)
    throw new StudyFolderError(
      outDir,
      `${STUDY_FILE} records another study than its seed tasks ran (${others.join(', ')} differ)`,
    );
  // Tasks resumed with more variants supersede study.json; study.json with variants the tasks never ran is
  // newer than them (a resume in one process that did not finish): merging would drop those variants.
  const ran = new Set((config.variants ?? []).map((v) => v.name));
  const unrun = (recorded?.variants ?? []).map((v) => v.name).filter((name) => !ran.has(name));
  if (unrun.length > 0)
    throw new StudyFolderError(
      outDir,
      `${STUDY_FILE} records variants its seed tasks did not run (${unrun.join(', ')}): the study was resumed without --seed-index after its tasks; finish that resume, or resume each seed with --seed-index <index> --resume and those variants, then merge`,
    );
  const first = done[0] as SeedTaskResult;
  const devices = [...new Set(done.map((r) => r.device))];
  const report = assembleReport({
    config,
    backend: first.backend,
    device: devices.join('; '),
    ...(first.command === undefined ? {} : { command: withoutSeedIndex(first.command) }),
    classes: first.classes,
    baseParameters: first.baseParameters,
    runs: done.map((r) => ({ layout: seedLayout(config, studySeeds(config)[r.index] as number), ...r.run })),
    timings: done.flatMap((r) => r.timings),
    // The seeds' compute time: a one-process study would have run them one after another.
    seconds: done.reduce((s, r) => s + r.seconds, 0),
  });
  const folder = await StudyFolder.forSeedTask(outDir);
  if (recorded === undefined || changed.length > 0) await folder.writeJson(STUDY_FILE, { config });
  await folder.writeText('report.html', await reportHtml(report));
  await folder.writeJson('report.json', report);
  return { outDir, config, report };
}
