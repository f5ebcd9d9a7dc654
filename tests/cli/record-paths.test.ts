/**
 * What a study and a training run write names no folder of the machine that ran them (the temporary folder,
 * the home folder, the checkout) unless --record-paths asks for absolute paths; a study resumes either way.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { cli as runCli } from './run-cli.ts';

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);
// A study of seconds on the bundled demo (the defaults).
const SMALL = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25', '--rank', 'proxy'],
  ...['--rank-per-class', '2', '--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  ...['--optimizer', 'adam', '--replicas', '1'],
];
const TRAIN = ['--arch', 'cnn4', '--epochs', '1', '--train-per-class', '5', '--val', '0.2', '--batch', '16'];

/** Every text file under `dir` (weights are not text), with its content. */
async function texts(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.bin')) continue;
    const file = path.join(entry.parentPath, entry.name);
    found.set(path.relative(dir, file), await readFile(file, 'utf8'));
  }
  return found;
}

/** The files that name any of `folders`, with the first such folder. */
function naming(files: Map<string, string>, folders: string[]): string[] {
  return [...files].flatMap(([name, text]) => {
    const hit = folders.find((f) => text.includes(f));
    return hit === undefined ? [] : [`${name} names ${hit}`];
  });
}

describe('recorded paths', () => {
  let dir: string;
  let machine: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-record-paths-'));
    // The folders a record must not reveal: the run's own, the checkout's, the home folder.
    machine = [dir, process.cwd(), ...(homedir().length > 1 ? [`${homedir()}${path.sep}`] : [])];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a study records bundled inputs as resources/... and its own folder by name; it resumes', async () => {
    const out = path.join(dir, 'study');
    const r = await cli(['study', '--out', out, ...SMALL]);
    expect(r.code, r.stderr).toBe(0);
    const files = await texts(out);
    expect(files.size).toBeGreaterThan(10);
    expect(naming(files, machine)).toEqual([]);
    const report = JSON.parse(files.get('report.json') ?? '') as StudyReport;
    expect([report.config.model, report.config.dataset]).toEqual([
      'resources/models/fashion-mnist-cnn4',
      'resources/datasets/fashion-mnist-demo',
    ]);
    expect(report.models[0]?.path).toBe('resources/models/fashion-mnist-cnn4');
    expect(report.command).toMatch(/ --out study /);
    const units = JSON.parse(files.get(path.join('deepcorrect', 'deepcorrect.json')) ?? '') as ModelMetadata;
    expect(units.provenance?.['dataset']).toBe('resources/datasets/fashion-mnist-demo');

    const resumed = await cli(['study', '--out', out, '--resume', '--json', ...SMALL]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/fine-tuning: done earlier/);
    expect((JSON.parse(resumed.stdout) as StudyReport).models.map((m) => m.top1)).toEqual(
      report.models.map((m) => m.top1),
    );
  }, 300_000);

  it('--record-paths records the absolute paths, and such a study resumes too', async () => {
    const out = path.join(dir, 'study-absolute');
    const r = await cli(['study', '--out', out, '--record-paths', ...SMALL]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as StudyReport;
    expect([report.config.model, report.config.dataset]).toEqual([demoModelDir(), demoDatasetDir()]);
    expect(report.command).toContain(` --out ${out} `);
    const resumed = await cli(['study', '--out', out, '--resume', ...SMALL]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/fine-tuning: done earlier/);
  }, 300_000);

  it('a trained model records its dataset as bundled, or absolute with --record-paths', async () => {
    const portable = path.join(dir, 'model');
    const dataset = demoDatasetDir();
    const r = await cli(['train', '--dataset', dataset, ...TRAIN, '--out', portable]);
    expect(r.code, r.stderr).toBe(0);
    const files = await texts(portable);
    expect(naming(files, machine)).toEqual([]);
    const meta = JSON.parse(files.get('deepcorrect.json') ?? '') as ModelMetadata;
    expect(meta.provenance?.dataset).toBe('resources/datasets/fashion-mnist-demo');
    expect(meta.provenance?.command).toContain('--dataset resources/datasets/fashion-mnist-demo ');
    expect(meta.provenance?.command).toMatch(/ --out model$/);

    const absolute = path.join(dir, 'model-absolute');
    const a = await cli(['train', '--dataset', dataset, ...TRAIN, '--out', absolute, '--record-paths']);
    expect(a.code, a.stderr).toBe(0);
    const recorded = JSON.parse(
      await readFile(path.join(absolute, 'deepcorrect.json'), 'utf8'),
    ) as ModelMetadata;
    expect(recorded.provenance?.dataset).toBe(dataset);
    expect(recorded.provenance?.command).toContain(`--out ${absolute}`);
  }, 300_000);
});
