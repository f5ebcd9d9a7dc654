import { describe, expect, it } from 'vitest';
import { doneRankJob } from './rank-job.ts';
import {
  attachOpened,
  finishedFor,
  openedRun,
  rankingFileName,
  withOpened,
  type OpenedRanking,
  type RankInput,
  type RankingRunShape,
  type SavedRanking,
} from '../../renderer/src/lib/opened-rankings.ts';

const ranking: SavedRanking = {
  model: 'demo-cnn4',
  dataset: 'demo',
  method: 'proxy',
  kind: 'blur',
  levels: [1, 2],
  seed: 3,
  split: 'train',
  perClass: 2,
  rankingImages: 20,
  layers: [{ layer: 'conv1', activation: 'conv1', filters: 2, order: [1, 0], seconds: 0.1 }],
  backend: 'cpu',
  seconds: 1,
};

function file(path: string, openedAt: number, modelId?: string): OpenedRanking {
  return { source: 'file', path, ranking, openedAt, ...(modelId === undefined ? {} : { modelId }) };
}

function jobRun(
  id: string,
  modelId: string,
  endedAt: number,
  kind: 'blur' | 'noise' = 'blur',
): RankingRunShape {
  const input: RankInput = { modelId, datasetId: 'd', spec: { kind }, levels: [1], seed: 1, method: 'proxy' };
  return {
    job: doneRankJob(id, input, endedAt),
    input,
    result: { ...ranking, kind },
  };
}

describe('opened rankings', () => {
  it('names files by their last part, for either separator', () => {
    expect(rankingFileName('/w/rankings/r-1.json')).toBe('r-1.json');
    expect(rankingFileName('C:\\w\\study\\ranking.json')).toBe('ranking.json');
  });

  it('replaces a file opened again and attaches or detaches one', () => {
    const list = withOpened(
      withOpened([file('/a.json', 1), file('/b.json', 2)], file('/a.json', 3, 'm1')),
      file('/c.json', 4),
    );
    expect(list.map((o) => [o.path, o.openedAt])).toEqual([
      ['/b.json', 2],
      ['/a.json', 3],
      ['/c.json', 4],
    ]);
    const attached = attachOpened(list, '/b.json', 'm2');
    expect(attached.map((o) => o.modelId)).toEqual(['m2', 'm1', undefined]);
    const detached = attachOpened(attached, '/a.json', undefined);
    expect('modelId' in (detached[1] ?? {})).toBe(false);
  });

  it('turns an attached file into a finished run with the input a job would have had', () => {
    const run = openedRun({ ...file('/w/rankings/r.json', 5), modelId: 'm1' });
    expect(run.path).toBe('/w/rankings/r.json');
    expect(run.job).toMatchObject({ id: 'file:/w/rankings/r.json', status: 'done', endedAt: 5 });
    expect(run.input).toEqual({
      modelId: 'm1',
      datasetId: '',
      layers: ['conv1'],
      spec: { kind: 'blur' },
      levels: [1, 2],
      seed: 3,
      perClass: 2,
      method: 'proxy',
    });
    expect(run.result).toBe(ranking);
  });

  it('orders jobs and files of a model by time, by kind when asked', () => {
    const jobs = [jobRun('j1', 'm1', 10), jobRun('j2', 'm2', 20), jobRun('j3', 'm1', 30, 'noise')];
    const files = [openedRun({ ...file('/f.json', 15), modelId: 'm1' })];
    expect(finishedFor(jobs, files, 'm1').map((r) => r.job.id)).toEqual(['j1', 'file:/f.json', 'j3']);
    expect(finishedFor(jobs, files, 'm1', 'blur').map((r) => r.job.id)).toEqual(['j1', 'file:/f.json']);
    expect(finishedFor(jobs, files, 'm2').map((r) => r.job.id)).toEqual(['j2']);
    const unfinished = { ...jobRun('j4', 'm1', 40), result: undefined };
    expect(finishedFor([unfinished], [], 'm1')).toEqual([]);
  });
});
