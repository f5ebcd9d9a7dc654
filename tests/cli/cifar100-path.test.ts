// The paper's CIFAR-100 path of docs/paper-scale.md, end to end through the command line, on a CIFAR-100
// binary folder the test writes (100 fine classes, 2 training and 1 test image each): dataset info, training
// allconv9 one step, evaluation at the paper-cifar levels, and a study of the smallest size, all on wasm.
// About 1.5 minutes on an idle 2-core machine: allconv9 is 11 times cnn4's work per image, and 100 classes
// need at least 100 test images.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../shared/datasets.ts';
import { PAPER_CIFAR100, type StudyReport } from '../../shared/study.ts';
import { mulberry32 } from '../../shared/random.ts';
import { cli as runCli } from './run-cli.ts';

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);

const FINE = 100;
const COARSE = 20;
/** CIFAR-100's binary record: coarse label byte, fine label byte, 32x32 planar RGB. */
const RECORD = 2 + 3072;
const PAPER_CIFAR = [0.5, 1, 1.5, 2, 2.5, 3];

/** `perClass` records of every fine class, class-major; fine class f belongs to coarse class f mod 20. */
function records(perClass: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const out = Buffer.alloc(FINE * perClass * RECORD);
  for (let i = 0; i < FINE * perClass; i++) {
    const fine = Math.floor(i / perClass);
    const at = i * RECORD;
    out[at] = fine % COARSE;
    out[at + 1] = fine;
    // Each class its own mean brightness, so the images are not all alike.
    for (let p = 0; p < 3072; p++) out[at + 2 + p] = Math.min(255, Math.floor(fine * 2 + random() * 56));
  }
  return out;
}

/** The folder the official archive extracts to, with its label names. */
async function writeCifar100(root: string): Promise<string> {
  const dir = path.join(root, 'cifar-100-binary');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'train.bin'), records(2, 1));
  await writeFile(path.join(dir, 'test.bin'), records(1, 2));
  const names = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}`).join('\n');
  await writeFile(path.join(dir, 'fine_label_names.txt'), `${names('fine', FINE)}\n`);
  await writeFile(path.join(dir, 'coarse_label_names.txt'), `${names('coarse', COARSE)}\n`);
  return dir;
}

describe('the CIFAR-100 path of docs/paper-scale.md', () => {
  let root: string;
  let data: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'dc-cifar100-'));
    data = await writeCifar100(root);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the binary folder with fine and with coarse labels', async () => {
    const fine = await cli(['dataset', 'info', data, '--json']);
    expect(fine.code, fine.stderr).toBe(0);
    const summary = JSON.parse(fine.stdout) as DatasetSummary;
    expect(summary.format).toBe('cifar100');
    expect([summary.height, summary.width, summary.channels]).toEqual([32, 32, 3]);
    expect(summary.classes).toHaveLength(FINE);
    expect(summary.classes[99]).toBe('fine99');
    const counts = Object.fromEntries(summary.splits.map((s) => [s.name, s.perClass]));
    expect(counts.train).toEqual(new Array(FINE).fill(2));
    expect(counts.test).toEqual(new Array(FINE).fill(1));

    const coarse = await cli(['dataset', 'info', data, '--json', '--labels', 'coarse']);
    expect(coarse.code, coarse.stderr).toBe(0);
    const grouped = JSON.parse(coarse.stdout) as DatasetSummary;
    expect(grouped.classes).toEqual(Array.from({ length: COARSE }, (_, i) => `coarse${i}`));
    expect(grouped.splits.find((s) => s.name === 'train')?.perClass).toEqual(new Array(COARSE).fill(10));
  });

  // Each step is a few seconds of CPU on an idle 2-core machine; the limits leave room for a loaded one.
  const model = () => path.join(root, 'allconv9');

  it('trains allconv9 one step', { timeout: 300_000 }, async () => {
    // 100 training images (one a class) in one batch; the other 100 held out for selection.
    const train = await cli([
      ...['train', '--dataset', data, '--arch', 'allconv9', '--epochs', '1', '--out', model()],
      ...['--val', '0.5', '--batch', '100', '--replicas', '1'],
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/training allconv9 \([\d,]+ parameters\) on 100 images .*validating on 100/);
    const metadata = JSON.parse(await readFile(path.join(model(), 'deepcorrect.json'), 'utf8')) as {
      arch: string;
      inputShape: number[];
      classes: string[];
    };
    expect(metadata.arch).toBe('allconv9');
    expect(metadata.inputShape).toEqual([32, 32, 3]);
    expect(metadata.classes).toHaveLength(FINE);
  });

  it('evaluates it clean and at the six paper-cifar blur levels', { timeout: 300_000 }, async () => {
    const evaluation = await cli([
      ...['evaluate', '--model', model(), '--dataset', data],
      ...['--distortion', 'blur', '--levels', 'paper-cifar', '--json'],
    ]);
    expect(evaluation.code, evaluation.stderr).toBe(0);
    const result = JSON.parse(evaluation.stdout) as {
      images: number;
      conditions: { level?: number; top1: number }[];
      meanWithClean: number;
      meanLevels: number;
    };
    expect(result.images).toBe(FINE);
    expect(result.conditions.map((c) => c.level)).toEqual([undefined, ...PAPER_CIFAR]);
    const top1 = result.conditions.map((c) => c.top1);
    for (const t of top1) expect(t >= 0 && t <= 1, `top-1 ${t}`).toBe(true);
    expect(result.meanWithClean).toBeCloseTo(top1.reduce((a, b) => a + b, 0) / 7, 12);
    expect(result.meanLevels).toBeCloseTo(top1.slice(1).reduce((a, b) => a + b, 0) / 6, 12);
  });

  it('runs the study on it', { timeout: 600_000 }, async () => {
    // The page's study command at its smallest: one corrected layer, proxy ranking, one epoch each, and one
    // of the six levels (each level adds distorted copies to the training of units and fine-tuning, and a
    // pass over the validation and test images of three models: two levels took 64 s, one 49 s).
    const out = path.join(root, 'study');
    const study = await cli([
      ...['study', '--model', model(), '--dataset', data, '--distortion', 'blur', '--levels', '3'],
      ...['--out', out, '--layers', 'conv1', '--beta', '0.5', '--rank', 'proxy', '--epochs', '1'],
      ...['--val', '0.5', '--batch', '100', '--replicas', '1', '--json'],
    ]);
    expect(study.code, study.stderr).toBe(0);
    const report = JSON.parse(study.stdout) as StudyReport;
    expect(report.config.levels).toEqual([3]);
    expect(report.classes).toHaveLength(FINE);
    expect(report.testImages).toBe(FINE);
    expect(report.models.map((m) => m.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    // Units on half of conv1's 96 filters; the authors' CIFAR-100 row beside the results.
    expect(report.ranking.layers[0]?.corrected).toHaveLength(48);
    expect(report.paper).toEqual(PAPER_CIFAR100.blur);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  it('refuses a truncated file, naming it, before writing anything', async () => {
    const bad = path.join(root, 'bad', 'cifar-100-binary');
    await mkdir(bad, { recursive: true });
    await writeFile(path.join(bad, 'train.bin'), records(2, 1).subarray(0, 5 * RECORD + 100));
    await writeFile(path.join(bad, 'test.bin'), records(1, 2));
    const info = await cli(['dataset', 'info', bad]);
    expect(info.code).not.toBe(0);
    expect(info.stderr).toContain(path.join(bad, 'train.bin'));
    expect(info.stderr).toMatch(/not a whole number of 3074-byte records \(5 records and 100 bytes over\)/);

    const out = path.join(root, 'bad-model');
    const train = await cli(['train', '--dataset', bad, '--arch', 'allconv9', '--epochs', '1', '--out', out]);
    expect(train.code).not.toBe(0);
    expect(train.stderr).toContain(path.join(bad, 'train.bin'));
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
