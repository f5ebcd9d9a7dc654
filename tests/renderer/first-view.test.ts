/**
 * What the views open on in a workspace holding a finished study (renderer/src/lib/first-view.ts), on a real
 * three-seed report (docs/studies/demo-blur-3-seeds) and hand-made manifests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import type { Artefact } from '../../shared/workspace.ts';
import {
  baseModelLocation,
  correctedModelFolder,
  isAbsolutePath,
  midLevel,
  mostCorrectedFilter,
  newestComplete,
  rankingFits,
  studyModelFolder,
  studyRankingFile,
} from '../../renderer/src/lib/first-view.ts';

const report = JSON.parse(
  readFileSync(new URL('../../docs/studies/demo-blur-3-seeds/report.json', import.meta.url), 'utf8'),
) as StudyReport;

function artefact(
  id: string,
  kind: Artefact['kind'],
  createdAt: string,
  status: Artefact['status'],
): Artefact {
  return { id, kind, name: id, path: `${kind}s/${id}`, createdAt, status, files: [] };
}

describe('first view', () => {
  it('picks the newest complete study, never an interrupted one or another kind', () => {
    const list = [
      artefact('old', 'study', '2026-12-01T10:00:00.000Z', 'complete'),
      artefact('cut', 'study', '2026-12-05T10:00:00.000Z', 'interrupted'),
      artefact('new', 'study', '2026-12-03T10:00:00.000Z', 'complete'),
      artefact('model', 'model', '2026-12-06T10:00:00.000Z', 'complete'),
    ];
    expect(newestComplete(list, 'study')?.id).toBe('new');
    expect(newestComplete(list, 'ranking')).toBeUndefined();
    // Same time: the one listed later (added later) wins.
    const tie = [...list, artefact('twin', 'study', '2026-12-03T10:00:00.000Z', 'complete')];
    expect(newestComplete(tie, 'study')?.id).toBe('twin');
  });

  it('finds the first seed’s corrected model and ranking inside the study folder', () => {
    expect(correctedModelFolder('/w/studies/s', report)).toBe('/w/studies/s/seed-1/deepcorrect');
    expect(studyRankingFile('/w/studies/s', report)).toBe('/w/studies/s/seed-1/ranking.json');
    const oneSeed = { ...report, config: { ...report.config, seeds: [4] } };
    expect(studyRankingFile('/w/studies/s/', oneSeed)).toBe('/w/studies/s/ranking.json');
    expect(correctedModelFolder('C:\\w\\s', report)).toBe('C:\\w\\s\\seed-1/deepcorrect');
    const noUnits = { ...report, models: report.models.filter((m) => m.role !== 'deepcorrect') };
    expect(correctedModelFolder('/w/s', noUnits)).toBeUndefined();
  });

  it('keeps absolute model paths and resolves relative ones against the study folder', () => {
    expect(isAbsolutePath('/work/main/resources/models/fashion-mnist-cnn4')).toBe(true);
    expect(isAbsolutePath('D:\\models\\m')).toBe(true);
    expect(isAbsolutePath('\\\\share\\m')).toBe(true);
    expect(isAbsolutePath('resources/models/fashion-mnist-cnn4')).toBe(false);
    expect(studyModelFolder('/w/s', '/abs/model')).toBe('/abs/model');
    expect(studyModelFolder('/w/s', './seed-2/fine-tuned')).toBe('/w/s/seed-2/fine-tuned');
  });

  it('finds the base model as the study recorded it: absolute, in the workspace, bundled, or not at all', () => {
    const held = [
      artefact('cnn4-copy', 'model', '2026-12-01T10:00:00.000Z', 'complete'),
      artefact('fashion-mnist-cnn4', 'model', '2026-12-01T10:00:00.000Z', 'complete'),
      artefact('broken', 'model', '2026-12-02T10:00:00.000Z', 'interrupted'),
    ];
    expect(baseModelLocation('/abs/cnn4', held)).toEqual({ absolute: '/abs/cnn4' });
    expect(baseModelLocation('models/cnn4-copy', held)).toEqual({ workspace: 'models/cnn4-copy' });
    // Bundled: the workspace's copy of that folder when it holds one, else the bundled model itself.
    expect(baseModelLocation('resources/models/fashion-mnist-cnn4', held)).toEqual({
      workspace: 'models/fashion-mnist-cnn4',
    });
    expect(baseModelLocation('resources/models/fashion-mnist-cnn4', [])).toBe('bundled');
    // A folder name alone (a model from elsewhere): only a model of that name in the workspace; never an
    // interrupted one.
    expect(baseModelLocation('cnn4-copy', held)).toEqual({ workspace: 'models/cnn4-copy' });
    expect(baseModelLocation('broken', held)).toBeUndefined();
    expect(baseModelLocation('elsewhere', held)).toBeUndefined();
  });

  it('takes a workspace ranking for the study’s only when it ranks the study’s layers under its distortion', () => {
    const layers = (names: string[]) => names.map((layer) => ({ layer }));
    expect(rankingFits({ kind: 'blur', layers: layers(['conv1', 'conv2', 'conv3']) }, report)).toBe(true);
    expect(rankingFits({ kind: 'noise', layers: layers(['conv1', 'conv2']) }, report)).toBe(false);
    expect(rankingFits({ kind: 'blur', layers: layers(['conv1']) }, report)).toBe(false);
  });

  it('takes the upper middle level: sigma 2 of the paper’s CIFAR blur levels', () => {
    expect(midLevel(report.config.levels)).toBe(2);
    expect(midLevel([3, 1, 2])).toBe(2);
    expect(midLevel([])).toBeUndefined();
  });

  it('selects the filter whose correction recovers most (the largest top tau over the corrected layers)', () => {
    // The real ranking: conv1's first filter 23 (tau 0.879), conv2's first filter 24 (tau 1.074).
    expect(mostCorrectedFilter(report.ranking, report.config.layers)).toEqual({
      layer: 'conv2',
      filter: 24,
      tau: expect.closeTo(1.0744, 3) as number,
    });
    expect(mostCorrectedFilter(report.ranking, ['conv1'])).toMatchObject({ layer: 'conv1', filter: 23 });
    // A proxy ranking (no tau): the first corrected layer's first filter.
    const proxy = { layers: report.ranking.layers.map(({ tau: _tau, ...l }) => l) };
    expect(mostCorrectedFilter(proxy, ['conv2'])).toEqual({ layer: 'conv2', filter: 24 });
    expect(mostCorrectedFilter({ layers: [] })).toBeUndefined();
  });
});
