/**
 * Where a job's result goes, in words, and results saved into a workspace brought back into the views: pure
 * helpers for the stores (evaluations, rankings) and the job panel. Evaluations, rankings and oracle
 * experiments are saved into the open workspace (the request's `workspace`); a study can be; a trained model
 * goes to the folder its form names.
 */
import type { JobInfo, JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { SavedTo } from '../../../shared/saved-result.ts';
import { artefactLocation } from './workspace-recent.ts';

export type OpenedResult = RequestOutput<'result.open'>;

/** The requests whose result is saved as a file of the workspace (their output says where). */
type ResultRequest = 'models.evaluate' | 'rank.filters' | 'rank.experiment';
const RESULT_REQUESTS: readonly string[] = ['models.evaluate', 'rank.filters', 'rank.experiment'];
/** The requests that train a model into a folder, a copy of which is kept in the workspace. */
type TrainRequest = 'models.train' | 'correct.train' | 'finetune.train';
const TRAIN_REQUESTS: readonly string[] = ['models.train', 'correct.train', 'finetune.train'];

/** The requests the stores send with the open workspace, so that what they make is kept in it. */
export type SavedRequest = ResultRequest | TrainRequest;

/** The prefix of the stand-in job ids of results opened from a workspace (never an engine job id). */
export const SAVED_JOB_PREFIX = 'saved:';

/** The input with the open workspace to save into, or as it is when none is open. */
export function withWorkspace<T extends object>(input: T, root: string | null): T & { workspace?: string } {
  return root === null ? input : { ...input, workspace: root };
}

export interface SaveNote {
  /** saved: kept in a workspace; elsewhere: written to a folder outside any workspace; unsaved: nowhere. */
  tone: 'saved' | 'pending' | 'elsewhere' | 'unsaved';
  text: string;
}

/**
 * Where a job's result went (or goes), for the job panel and the views' result areas; undefined for a job that
 * keeps nothing (a failed or cancelled one, a preview).
 */
export function saveNote(job: JobInfo): SaveNote | undefined {
  // Stand-ins for what was opened from files: a saved result says where it was read; a ranking file is its own.
  if (job.id.startsWith(SAVED_JOB_PREFIX))
    return { tone: 'saved', text: `Opened from ${job.id.slice(SAVED_JOB_PREFIX.length)}` };
  if (job.id.startsWith('file:')) return undefined;
  const input = job.input as { workspace?: string; outDir?: string };
  const live = job.status === 'queued' || job.status === 'running';
  if (!live && job.status !== 'done') return undefined;
  const saved = (job.result as { saved?: SavedTo } | undefined)?.saved;
  if (TRAIN_REQUESTS.includes(job.name) && input.outDir !== undefined) {
    const at = `${live ? 'Training into' : 'Written to'} ${input.outDir}`;
    if (saved !== undefined)
      return {
        tone: 'saved',
        text: `${at}; a copy saved to ${saved.workspaceName} as “${saved.name}” (${saved.path})`,
      };
    if (input.workspace !== undefined)
      return { tone: 'pending', text: `${at}; a copy will be saved to the workspace ${input.workspace}` };
    return { tone: 'elsewhere', text: `${at} (no workspace was open to keep a copy in)` };
  }
  if (RESULT_REQUESTS.includes(job.name) || job.name === 'study.run') {
    if (saved !== undefined)
      return { tone: 'saved', text: `Saved to ${saved.workspaceName} as “${saved.name}” (${saved.path})` };
    if (input.workspace !== undefined) {
      if (live) return { tone: 'pending', text: `Will be saved to the workspace ${input.workspace}` };
      // A study's output names its folder (studies/<id>) rather than `saved`.
      const outDir = (job.result as { outDir?: string } | undefined)?.outDir;
      return {
        tone: 'saved',
        text: `Saved to the workspace ${input.workspace}${outDir ? ` (${outDir})` : ''}`,
      };
    }
    if (job.name === 'study.run' && input.outDir !== undefined)
      return { tone: 'elsewhere', text: `Written to ${input.outDir} (a study folder, in no workspace)` };
    return {
      tone: 'unsaved',
      text: live
        ? 'Will not be saved: no workspace is open'
        : 'Not saved: no workspace was open (kept in this session only)',
    };
  }
  if (input.outDir !== undefined)
    return { tone: 'elsewhere', text: `Written to ${input.outDir} (in no workspace)` };
  return undefined;
}

/** A saved result as a view's runs are: a stand-in job, 'done', with its input and result. */
export interface SavedRun<N extends 'models.evaluate' | 'rank.experiment'> {
  job: JobOf<N>;
  input: RequestInput<N>;
  result: RequestOutput<N>;
  /** The model's name as saved, for a model that could not be opened again. */
  label: string;
  /** The file it was read from. */
  path: string;
}
export type SavedEvaluationRun = SavedRun<'models.evaluate'>;
export type SavedExperimentRun = SavedRun<'rank.experiment'>;

function savedRun<N extends 'models.evaluate' | 'rank.experiment'>(
  name: N,
  opened: OpenedResult,
  input: RequestInput<N>,
  result: RequestOutput<N>,
  title: string,
  at: number,
): SavedRun<N> {
  const job = {
    id: `${SAVED_JOB_PREFIX}${opened.path}`,
    name,
    title,
    status: 'done',
    input,
    result,
    queuedAt: at,
    endedAt: at,
  } as JobOf<N>; // A generic N does not narrow JobOf's union of job records; the fields are those of JobOf<N>.
  return { job, input, result, label: opened.saved.model.name, path: opened.path };
}

/**
 * An opened evaluation as a run of `modelId` (the model opened again from its recorded folder, or a stand-in id
 * when it could not be); datasetId '' as the dataset need not be open to show it.
 */
export function savedEvaluationRun(
  opened: OpenedResult,
  modelId: string,
  at: number,
): SavedEvaluationRun | undefined {
  const saved = opened.saved;
  if (saved.format !== 'deepcorrect-evaluation') return undefined;
  const title = `Saved evaluation of ${saved.model.name} (${saved.dataset.name}, ${saved.settings.split})`;
  return savedRun(
    'models.evaluate',
    opened,
    { modelId, datasetId: '', ...saved.settings },
    saved.result,
    title,
    at,
  );
}

export function savedExperimentRun(
  opened: OpenedResult,
  modelId: string,
  at: number,
): SavedExperimentRun | undefined {
  const saved = opened.saved;
  if (saved.format !== 'deepcorrect-experiment') return undefined;
  const title = `Saved oracle experiment of ${saved.model.name}`;
  return savedRun(
    'rank.experiment',
    opened,
    { modelId, datasetId: '', ...saved.settings },
    saved.result,
    title,
    at,
  );
}

/** The list with `entry` added; a file opened again replaces its earlier entry (and moves to the end). */
export function withSaved<T extends { path: string }>(list: readonly T[], entry: T): T[] {
  return [...list.filter((e) => e.path !== entry.path), entry];
}

/** The job of this session whose result was saved at `file` (absolute), if any: it is shown already. */
export function jobThatSaved(jobs: readonly JobInfo[], file: string): JobInfo | undefined {
  return jobs.find((j) => {
    const saved = (j.result as { saved?: { workspace: string; path: string } } | undefined)?.saved;
    return saved !== undefined && artefactLocation(saved.workspace, saved.path) === file;
  });
}
