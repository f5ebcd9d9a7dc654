import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StudyConfig } from '../../../shared/study.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { FileProblemError, reason } from '../io/file-error.ts';
import { sameRecordedPlace, type PathRecording } from '../io/recorded-path.ts';

/** The study's own record of what it was asked: a resumed run must match it. */
export const STUDY_FILE = 'study.json';
/** Finished stages, one JSON each, written after everything the stage produced is on disk. */
const STAGES_DIR = 'stages';

/** A study folder that cannot be used as asked: `${folder}: ${problem}`. */
export class StudyFolderError extends FileProblemError {
  override name = 'StudyFolderError';
}

async function entries(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The config's paths: compared by the place they name, so a study recorded with absolute paths resumes. */
const PATH_KEYS: readonly (keyof StudyConfig)[] = ['model', 'dataset'];

/**
 * The settings that differ between two study configs. `model` and `dataset` differ only when they name other
 * places (resolved as `paths` says), so that a record made before paths were portable still matches.
 */
export function configDifferences(
  a: StudyConfig,
  b: StudyConfig,
  paths: Omit<PathRecording, 'absolute'> = {},
): (keyof StudyConfig)[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof StudyConfig)[]);
  return [...keys].filter((k) =>
    PATH_KEYS.includes(k) && typeof a[k] === 'string' && typeof b[k] === 'string'
      ? !sameRecordedPlace(a[k], b[k], paths)
      : canonical(a[k]) !== canonical(b[k]),
  );
}

/** The config a study folder's study.json records, refused in words when it cannot be read. */
export async function readStudyConfig(folder: string): Promise<StudyConfig> {
  try {
    return (JSON.parse(await readFile(path.join(folder, STUDY_FILE), 'utf8')) as { config: StudyConfig })
      .config;
  } catch (error) {
    throw new StudyFolderError(
      folder,
      `${STUDY_FILE} is unreadable (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * Recorded settings against a run's: refused, naming them and ending with `advice`, where they differ other
 * than in the variants (which a resume may change). True when the variants changed (the record is rewritten).
 */
export function checkSameSettings(
  where: string,
  recorded: StudyConfig,
  config: StudyConfig,
  paths: Omit<PathRecording, 'absolute'>,
  advice: string,
): boolean {
  const changed = configDifferences(recorded, config, paths);
  const others = changed.filter((k) => k !== 'variants');
  if (others.length > 0)
    throw new StudyFolderError(where, `holds a study with other settings (${others.join(', ')}): ${advice}`);
  return changed.length > 0;
}

/** JSON with sorted keys, so that two values compare by content, not by key order. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
        : v,
    ) ?? 'undefined'
  );
}

/**
 * A study's output folder. Stages are checkpoints: each is recorded only once all its files are complete, so
 * a cancelled or killed study leaves complete stages behind and `resume` carries on from them.
 */
export class StudyFolder {
  private constructor(readonly dir: string) {}

  /**
   * Opens `dir` for a study with `config`. A new or empty folder starts afresh. A folder holding this study
   * (same config) is resumed when `resume` is set, and refused otherwise, as is any other non-empty folder:
   * a study never overwrites work it did not make. A resume may change the ablation's variants alone (to
   * add an ablation to a finished study): every other stage is kept, the new variants run, study.json
   * records them.
   */
  static async open(
    dir: string,
    config: StudyConfig,
    resume: boolean,
    paths: Omit<PathRecording, 'absolute'> = {},
  ): Promise<StudyFolder> {
    const folder = path.resolve(dir);
    const names = (await entries(folder))?.filter((n) => !n.startsWith('.'));
    // A new folder records its settings; a resumed one again when its variants changed.
    let write = names === undefined || names.length === 0;
    if (names !== undefined && names.length > 0) {
      if (!names.includes(STUDY_FILE))
        throw new StudyFolderError(
          folder,
          names.some((n) => /^seed-\d+$/.test(n))
            ? "holds the seed tasks of a study split by seed (--seed-index): run the rest with --seed-index, then 'deepcorrect study merge' it"
            : 'is not empty and holds no study: choose a new or empty folder',
        );
      if (!resume)
        throw new StudyFolderError(
          folder,
          'already holds a study: resume it (--resume) or choose a new or empty folder',
        );
      write = checkSameSettings(
        folder,
        await readStudyConfig(folder),
        config,
        { within: folder, ...paths },
        'resume it with the same settings or choose a new folder',
      );
    }
    await mkdir(path.join(folder, STAGES_DIR), { recursive: true });
    const study = new StudyFolder(folder);
    if (write) await study.writeJson(STUDY_FILE, { config });
    return study;
  }

  /**
   * The folder of a study split by seed, for one seed's task once seed-task.ts has checked it: makes the
   * stages/ folder (which every task shares; mkdir of an existing folder is harmless) and writes nothing else.
   */
  static async forSeedTask(dir: string): Promise<StudyFolder> {
    const folder = path.resolve(dir);
    await mkdir(path.join(folder, STAGES_DIR), { recursive: true });
    return new StudyFolder(folder);
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await this.writeText(name, `${JSON.stringify(value, null, 1)}\n`);
  }

  async readJson<T>(name: string): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path(name), 'utf8')) as T;
    } catch (error) {
      throw new StudyFolderError(
        this.dir,
        `${name} is unreadable (${reason(error)}): resume or start the study afresh`,
      );
    }
  }

  /** Writes a file of the study, making its folder (a seed's) when it is the first there. */
  async writeText(name: string, text: string): Promise<void> {
    await mkdir(path.dirname(this.path(name)), { recursive: true });
    await writeFileAtomic(this.path(name), text);
  }

  /** The recorded result of a finished stage, or undefined when it has not finished. */
  async stage<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.path(STAGES_DIR, `${name}.json`), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StudyFolderError(
        this.dir,
        `stage record ${name}.json is unreadable (${error instanceof Error ? error.message : String(error)}): delete it to redo the stage`,
      );
    }
  }

  async finishStage(name: string, value: unknown): Promise<void> {
    await this.writeJson(path.join(STAGES_DIR, `${name}.json`), value);
  }
}
