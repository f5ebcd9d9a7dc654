import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  comparableRecord,
  isBundledRecord,
  recordCommand,
  recordPath,
  resolveRecordedPath,
  sameRecordedPlace,
} from '../../electron/engine/io/recorded-path.ts';
import { demoDatasetDir, demoModelDir, resourcesDir } from '../../electron/engine/resources.ts';
import { configDifferences } from '../../electron/engine/study/study-folder.ts';
import { quickStudyConfig } from './study-fixture.ts';

const root = path.resolve('/somewhere/checkout-a/resources');
const other = path.resolve('/elsewhere/checkout-b/resources');
const within = path.resolve('/home/someone/work/ws');

describe('recorded paths', () => {
  it('records a bundled resource relative to the resources, a path inside its folder relative to it, else its name', () => {
    expect(recordPath(path.join(root, 'models', 'cnn'), { resources: root, within })).toBe(
      'resources/models/cnn',
    );
    expect(recordPath(path.join(within, 'studies', 's1'), { resources: root, within })).toBe('studies/s1');
    expect(recordPath(within, { resources: root, within })).toBe('ws');
    expect(recordPath(path.resolve('/data/fashion'), { resources: root, within })).toBe('fashion');
    // A folder of the workspace or one named like the resources is not mistaken for a bundled one.
    expect(recordPath(path.join(within, 'resources', 'x'), { resources: root, within })).toBe(
      './resources/x',
    );
    expect(recordPath(path.resolve('/data/resources'), { resources: root, within })).toBe('./resources');
    expect(recordPath(path.join(root, 'models', 'cnn'), { resources: root, absolute: true })).toBe(
      path.join(root, 'models', 'cnn'),
    );
  });

  it('resolves a record against the reading app: bundled in its resources, relative in the folder', () => {
    expect(resolveRecordedPath('resources/models/cnn', { resources: other })).toBe(
      path.join(other, 'models', 'cnn'),
    );
    expect(resolveRecordedPath('./resources/x', { resources: other, within })).toBe(
      path.join(within, 'resources', 'x'),
    );
    expect(resolveRecordedPath('studies/s1', { within })).toBe(path.join(within, 'studies', 's1'));
    expect(resolveRecordedPath(path.resolve('/old/abs'), { within })).toBe(path.resolve('/old/abs'));
    expect(isBundledRecord('resources/datasets/d')).toBe(true);
    expect(isBundledRecord('./resources/datasets/d')).toBe(false);
    // The default resources: this checkout's, so the demo's records name its own files.
    expect(resolveRecordedPath(recordPath(demoModelDir()))).toBe(demoModelDir());
    expect(recordPath(demoDatasetDir())).toBe('resources/datasets/fashion-mnist-demo');
    expect(resolveRecordedPath('resources')).toBe(resourcesDir());
  });

  it('compares an absolute record of earlier versions by the place it names', () => {
    const old = path.join(root, 'datasets', 'd');
    expect(comparableRecord(old, old, { resources: root })).toBe(old);
    expect(comparableRecord('resources/datasets/d', old, { resources: root })).toBe('resources/datasets/d');
    expect(sameRecordedPlace(old, 'resources/datasets/d', { resources: root })).toBe(true);
    expect(sameRecordedPlace(old, 'resources/datasets/e', { resources: root })).toBe(false);
  });

  it('a study recorded with absolute paths matches the same study recorded portably', () => {
    const absolute = quickStudyConfig();
    const portable = quickStudyConfig({
      model: recordPath(absolute.model),
      dataset: recordPath(absolute.dataset),
    });
    expect(portable.model).toBe('resources/models/fashion-mnist-cnn4');
    expect(configDifferences(absolute, portable)).toEqual([]);
    expect(configDifferences(absolute, { ...portable, dataset: 'resources/datasets/other' })).toEqual([
      'dataset',
    ]);
    expect(configDifferences(absolute, { ...portable, beta: 0.5 })).toEqual(['beta']);
  });

  it('records the absolute paths of a command line, quoted or as an option value', () => {
    const how = { resources: root, within };
    const model = path.join(root, 'models', 'cnn');
    expect(recordCommand(`deepcorrect study --model ${model} --out ${within}/studies/s --seeds 3`, how)).toBe(
      'deepcorrect study --model resources/models/cnn --out studies/s --seeds 3',
    );
    expect(recordCommand(`deepcorrect train "--out=${path.resolve('/my data/run 1')}" --seed 1`, how)).toBe(
      'deepcorrect train "--out=run 1" --seed 1',
    );
    expect(recordCommand('deepcorrect study --out study --levels 1,3', how)).toBe(
      'deepcorrect study --out study --levels 1,3',
    );
    expect(recordCommand(`deepcorrect study --out ${within}`, { ...how, absolute: true })).toBe(
      `deepcorrect study --out ${within}`,
    );
  });
});
