import { describe, expect, it } from 'vitest';
import { doneRankJob } from './rank-job.ts';
import type { RankInput, RankingRunShape, SavedRanking } from '../../renderer/src/lib/opened-rankings.ts';
import { followProblem, rankingChoices, rankingFile } from '../../renderer/src/lib/study-ranking.ts';

const ranking: SavedRanking = {
  model: 'demo-cnn4',
  dataset: 'demo',
  method: 'both',
  kind: 'blur',
  levels: [1, 2, 3],
  seed: 3,
  split: 'train',
  perClass: 2,
  rankingImages: 20,
  layers: [
    { layer: 'conv1', activation: 'conv1', filters: 2, order: [1, 0], seconds: 0.1 },
    { layer: 'conv2', activation: 'conv2', filters: 2, order: [0, 1], seconds: 0.1 },
  ],
  backend: 'cpu',
  seconds: 1,
};

/** A finished rank.filters job, kept in `workspace` when given. */
function jobRun(id: string, workspace?: string): RankingRunShape {
  const input: RankInput = {
    modelId: 'm',
    datasetId: 'd',
    spec: { kind: 'blur' },
    levels: [1, 2, 3],
    seed: 1,
    method: 'both',
  };
  const saved =
    workspace === undefined
      ? {}
      : { saved: { workspace, workspaceName: 'w', artefactId: id, name: id, path: `rankings/${id}.json` } };
  return { job: doneRankJob(id, input, 1, { ...ranking, ...saved }), input, result: ranking };
}

const fileRun = (path: string): RankingRunShape => ({ ...jobRun(`file:${path}`), path });

describe('the rankings a study can follow', () => {
  it('finds each ranking’s file: an opened file’s path, a kept job’s place in its workspace', () => {
    expect(rankingFile(fileRun('/data/merged.json'))).toBe('/data/merged.json');
    expect(rankingFile(jobRun('r-1', '/home/me/ws/'))).toBe('/home/me/ws/rankings/r-1.json');
    expect(rankingFile(jobRun('r-2', 'C:\\Users\\me\\ws'))).toBe('C:\\Users\\me\\ws\\rankings\\r-2.json');
    // A job's ranking that was not kept is in no file the engine could read.
    expect(rankingFile(jobRun('r-3'))).toBeUndefined();
  });

  it('offers every file once, labelled with its method, layers and levels, and skips unsaved ones', () => {
    const choices = rankingChoices([
      fileRun('/data/merged.json'),
      jobRun('r-3'),
      jobRun('r-1', '/ws'),
      fileRun('/data/merged.json'),
    ]);
    expect(choices.map((c) => c.path)).toEqual(['/ws/rankings/r-1.json', '/data/merged.json']);
    expect(choices[1]?.label).toBe('merged.json: both, conv1, conv2, levels 1, 2, 3');
  });

  it('says why a ranking does not fit the study: distortion, levels, a layer it does not rank', () => {
    const study = { kind: 'blur' as const, levels: [1, 2, 3], layers: ['conv1', 'conv2'] };
    expect(followProblem(ranking, study)).toBeNull();
    expect(followProblem(ranking, { ...study, kind: 'noise' })).toBe(
      'The ranking file is a blur ranking; the study is of noise.',
    );
    expect(followProblem(ranking, { ...study, levels: [1, 2] })).toBe(
      'The ranking file ranked at levels 1, 2, 3; the study’s are 1, 2.',
    );
    expect(followProblem(ranking, { ...study, layers: ['conv1', 'conv3', 'conv4', 'conv3'] })).toBe(
      'The ranking file does not rank conv3, conv4, which the study corrects.',
    );
    expect(followProblem(ranking, { ...study, layers: ['conv1', 'conv4'], ablation: true })).toMatch(
      /conv4, which the study or its ablation corrects/,
    );
  });
});
