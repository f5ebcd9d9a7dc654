// What the job panel says about where each job's result went, and a saved evaluation turned back into a run.
import { describe, expect, it } from 'vitest';
import type { JobInfo, RequestOutput } from '../../shared/bridge/contract.ts';
import {
  jobThatSaved,
  saveNote,
  savedEvaluationRun,
  savedExperimentRun,
  withWorkspace,
  type OpenedResult,
} from '../../renderer/src/lib/saved-results.ts';

const saved = {
  workspace: '/home/u/ws',
  workspaceName: 'kept',
  artefactId: 'm-20261205-1000',
  name: 'model (cnn4) under gaussian blur',
  path: 'evaluations/m-20261205-1000.json',
};
const evalInput = {
  modelId: 'model-1',
  datasetId: 'dataset-1',
  split: 'test' as const,
  spec: { kind: 'blur' as const },
  levels: [1],
  seed: 0,
};

function job(partial: Partial<JobInfo> & Pick<JobInfo, 'name' | 'status'>): JobInfo {
  return { id: 'job-a-1', title: 't', input: evalInput, queuedAt: 1, ...partial } as JobInfo;
}

describe('saveNote', () => {
  it('says where an evaluation went, or that it was not kept', () => {
    expect(saveNote(job({ name: 'models.evaluate', status: 'done', result: { saved } as never }))).toEqual({
      tone: 'saved',
      text: 'Saved to kept as “model (cnn4) under gaussian blur” (evaluations/m-20261205-1000.json)',
    });
    expect(saveNote(job({ name: 'models.evaluate', status: 'done', result: {} as never }))).toEqual({
      tone: 'unsaved',
      text: 'Not saved: no workspace was open (kept in this session only)',
    });
    expect(
      saveNote(
        job({ name: 'rank.filters', status: 'running', input: { ...evalInput, workspace: '/w' } as never }),
      ),
    ).toEqual({ tone: 'pending', text: 'Will be saved to the workspace /w' });
    expect(saveNote(job({ name: 'rank.experiment', status: 'queued' }))?.text).toBe(
      'Will not be saved: no workspace is open',
    );
    // A failed or cancelled job kept nothing: nothing to say.
    expect(saveNote(job({ name: 'models.evaluate', status: 'failed' }))).toBeUndefined();
    expect(saveNote(job({ name: 'models.evaluate', status: 'cancelled' }))).toBeUndefined();
  });

  it('says where a trained model and a study went', () => {
    const trained = { name: 'models.train' as const, input: { outDir: '/out/m' } as never };
    expect(
      saveNote(
        job({ ...trained, status: 'done', result: { saved: { ...saved, path: 'models/x' } } as never }),
      ),
    ).toEqual({
      tone: 'saved',
      text: 'Written to /out/m; a copy saved to kept as “model (cnn4) under gaussian blur” (models/x)',
    });
    expect(saveNote(job({ ...trained, status: 'done', result: {} as never }))).toEqual({
      tone: 'elsewhere',
      text: 'Written to /out/m (no workspace was open to keep a copy in)',
    });
    expect(saveNote(job({ name: 'study.run', status: 'done', input: { outDir: '/s' } as never }))?.text).toBe(
      'Written to /s (a study folder, in no workspace)',
    );
    expect(
      saveNote(
        job({
          name: 'study.run',
          status: 'done',
          input: { workspace: '/w' } as never,
          result: { outDir: '/w/studies/s1' } as never,
        }),
      )?.text,
    ).toBe('Saved to the workspace /w (/w/studies/s1)');
    // Stand-ins of what was opened from files.
    expect(
      saveNote(job({ id: 'saved:/w/evaluations/e.json', name: 'models.evaluate', status: 'done' })),
    ).toEqual({
      tone: 'saved',
      text: 'Opened from /w/evaluations/e.json',
    });
    expect(saveNote(job({ id: 'file:/r.json', name: 'rank.filters', status: 'done' }))).toBeUndefined();
  });
});

describe('saved results as runs', () => {
  const evaluation: RequestOutput<'models.evaluate'> = {
    kind: 'blur',
    parameter: 'sigma',
    images: 20,
    classes: ['a', 'b'],
    conditions: [
      {
        top1: 0.9,
        top5: 1,
        perClass: [1, 0.8],
        confusion: [
          [10, 0],
          [2, 8],
        ],
      },
      {
        level: 1,
        top1: 0.6,
        top5: 1,
        perClass: [0.7, 0.5],
        confusion: [
          [7, 3],
          [5, 5],
        ],
      },
    ],
    meanWithClean: 0.75,
    meanLevels: 0.6,
    seconds: 0.2,
  };
  const opened: OpenedResult = {
    path: '/w/evaluations/e.json',
    modelPath: null,
    datasetPath: null,
    saved: {
      format: 'deepcorrect-evaluation',
      version: 1,
      model: { path: 'model', name: 'model (cnn4)' },
      dataset: { path: 'resources/datasets/fashion-mnist-demo', name: 'fashion-mnist-demo' },
      settings: { split: 'test', perClass: 2, spec: { kind: 'blur' }, levels: [1], seed: 0 },
      backend: 'wasm',
      createdAt: '2026-12-05T10:00:00.000Z',
      result: evaluation,
    },
  };

  it('turns a saved evaluation into a finished run of the model it is shown under', () => {
    const run = savedEvaluationRun(opened, 'model-7', 5);
    expect(run?.input).toEqual({
      modelId: 'model-7',
      datasetId: '',
      split: 'test',
      perClass: 2,
      spec: { kind: 'blur' },
      levels: [1],
      seed: 0,
    });
    expect(run?.result).toBe(evaluation);
    expect(run?.job).toMatchObject({ id: 'saved:/w/evaluations/e.json', status: 'done', endedAt: 5 });
    expect(run?.label).toBe('model (cnn4)');
    // Not an experiment.
    expect(savedExperimentRun(opened, 'model-7', 5)).toBeUndefined();
  });

  it('finds the job that saved a file, and adds the workspace only when one is open', () => {
    const mine = job({ name: 'models.evaluate', status: 'done', result: { saved } as never });
    expect(jobThatSaved([mine], '/home/u/ws/evaluations/m-20261205-1000.json')).toBe(mine);
    expect(jobThatSaved([mine], '/home/u/other/evaluations/m-20261205-1000.json')).toBeUndefined();
    expect(withWorkspace({ a: 1 }, null)).toEqual({ a: 1 });
    expect(withWorkspace({ a: 1 }, '/w')).toEqual({ a: 1, workspace: '/w' });
  });
});
