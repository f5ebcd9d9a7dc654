import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import { cli as runCli } from './run-cli.ts';

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);
// The bundled demo model and data (the defaults), a study of seconds.
const SMALL = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25', '--rank', 'proxy'],
  ...['--rank-per-class', '2', '--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  // Adam's own default rate (0.001) for both methods: no --unit-lr / --finetune-lr.
  ...['--optimizer', 'adam', '--replicas', '1'],
];

describe('deepcorrect study', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-study-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the comparison on the demo and prints the paper table', async () => {
    const out = path.join(dir, 'study');
    const r = await cli(['study', '--out', out, ...SMALL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sigma \(px\) levels: 1, 3\n/);
    expect(r.stdout).toMatch(/\nbaseline +[\d.]+% +[\d.]+% +[\d.]+% +[\d.]+% +[\d.]+% +0\n/);
    expect(r.stdout).toMatch(/\nfine-tuned \(all\) .* 467,818\n/);
    expect(r.stdout).toMatch(/the authors' CIFAR-100 \(mean clean \+ 6 levels\): baseline 25\.02%/);
    expect(r.stdout).toContain(`report: ${path.join(out, 'report.html')}`);
    // One seed: no interval over seeds, but the paired tests on the test images.
    expect(r.stdout).toContain('1 seed: no interval over seeds');
    expect(r.stdout).toMatch(
      /\nDeepCorrect minus fine-tuning, top-1 \(paired bootstrap over \d+ test images, 10,000 replicates, 95% interval\):\nmean clean\+levels +[+-][\d.]+ points +\[[+-][\d.]+, [+-][\d.]+\] +(better|worse|no significant difference) \(p [=<] [\d.]+\)\n/,
    );
    expect(r.stderr).toMatch(/baseline evaluation: [\d.]+ s/);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as StudyReport;
    expect(report.config.layers).toEqual(['conv2']);
    expect([report.config.unitOptimizer, report.config.fineTuneOptimizer]).toEqual([
      'adam, lr 0.001',
      'adam, lr 0.001',
    ]);
    expect(report.config.levels).toEqual([1, 3]);
    expect(report.command).toMatch(/^deepcorrect --backend wasm study --out /);
    expect(report.ranking.layers[0]?.corrected).toHaveLength(8);

    const again = await cli(['study', '--out', out, ...SMALL]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a study: resume it \(--resume\)/);
    const resumed = await cli(['study', '--out', out, '--resume', '--json', ...SMALL]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/fine-tuning: done earlier/);
    const json = JSON.parse(resumed.stdout) as StudyReport;
    expect(json.models.map((m) => m.top1)).toEqual(report.models.map((m) => m.top1));

    // A variant added on resume: the study's own stages are kept, the variant trains and gets its row.
    const ablated = await cli(['study', '--out', out, '--resume', ...SMALL, '--variant', 'beta=0.5']);
    expect(ablated.code, ablated.stderr).toBe(0);
    expect(ablated.stderr).toMatch(/DeepCorrect units: done earlier/);
    expect(ablated.stderr).toMatch(/variant beta-0\.5: [\d.]+ s/);
    expect(ablated.stdout).toMatch(
      /\nAblation: .*\nvariant +validation +mean clean\+levels +minus DeepCorrect +minus fine-tuned +trainable\nbeta-0\.5 +[\d.]+% +[\d.]+% +[+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] +(better|worse|no significant difference) +[+-][\d.]+ \[/,
    );
  });

  it('refuses bad settings with a clear message', async () => {
    const beta = await cli(['study', '--out', path.join(dir, 'b'), ...SMALL, '--beta', '1.5']);
    expect(beta.code).not.toBe(0);
    expect(beta.stderr).toMatch(/"1.5" is not within \(0, 1\]/);
    const layer = await cli(['study', '--out', path.join(dir, 'l'), ...SMALL, '--layers', 'fc1']);
    expect(layer.code).not.toBe(0);
    expect(layer.stderr).toMatch(/"fc1" is not a conv layer of the model/);
    const rank = await cli(['study', '--out', path.join(dir, 'r'), ...SMALL, '--rank', 'guess']);
    expect(rank.code).not.toBe(0);
    expect(rank.stderr).toMatch(/guess/);
    for (const [variant, message] of [
      ['placement=middle', /placement=middle in the variant "placement=middle": pre or post/],
      ['rank=oracle', /follows the oracle ranking, which a study ranking with proxy alone does not make/],
    ] as const) {
      const out = path.join(dir, `v-${variant}`);
      const r = await cli(['study', '--out', out, ...SMALL, '--variant', variant]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
    for (const seeds of ['0', '51']) {
      const out = path.join(dir, `s${seeds}`);
      const r = await cli(['study', '--out', out, ...SMALL, '--seeds', seeds]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `option '--seeds <n>' argument '${seeds}' is invalid. "${seeds}" is not an integer from 1 to 50`,
      );
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
