/**
 * A study split by seed, as a Slurm job array runs it: `study --seeds 2 --seed-index K` in two processes at
 * once into one folder, then `study merge`; the merged report against the same study run in one process.
 * And a study given a ranking file (--ranking) instead of ranking itself.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyModelResult, StudyReport } from '../../shared/study.ts';
import { mergeStudy } from '../../electron/engine/study/merge-study.ts';
import { openStudy } from '../../electron/engine/study/open-study.ts';
import { openSeedTask, type SeedTaskRecord } from '../../electron/engine/study/seed-task.ts';
import { seedLayout } from '../../electron/engine/study/study-layout.ts';
import { checkWorkspace } from '../../electron/engine/workspace/check.ts';
import { initWorkspace, openWorkspace } from '../../electron/engine/workspace/workspace.ts';
import { cli as runCli } from './run-cli.ts';

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);
// The bundled demo model and data, a study of seconds per seed (as tests/cli/study-cli.test.ts).
const SMALL = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25'],
  ...['--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  ...['--optimizer', 'adam', '--replicas', '1'],
];
// How the study ranks when it ranks itself.
const RANK = ['--rank', 'proxy', '--rank-per-class', '2'];
const TWO = [...SMALL, ...RANK, '--seeds', '2'];

/** A report without what differs between two runs of the same computation: times, dates, the command. */
function figures(report: unknown): unknown {
  const timeKeys = new Set(['seconds', 'imagesPerSecond', 'createdAt', 'command', 'totalSeconds', 'outDir']);
  return JSON.parse(JSON.stringify(report, (key, value: unknown) => (timeKeys.has(key) ? undefined : value)));
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

describe('deepcorrect study --seed-index and study merge', () => {
  let dir: string;
  let split: string;
  let whole: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-study-split-'));
    split = path.join(dir, 'split');
    whole = path.join(dir, 'whole');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a seed index outside the seeds, before any work', async () => {
    const out = path.join(dir, 'refused');
    const cases: [string[], RegExp][] = [
      [
        ['--out', out, '--seeds', '2', '--seed-index', '2'],
        /--seed-index 2 is out of range: the study's 2 seeds are indices 0 to 1 \(counted from 0/,
      ],
      [['--out', out, '--seed-index', '0'], /a study of 1 seed runs whole: leave --seed-index out/],
      [['--out', out, '--seeds', '2', '--seed-index', '-1'], /"-1" is not a non-negative integer/],
      [
        ['--workspace', dir, '--seeds', '2', '--seed-index', '1'],
        /--seed-index writes one seed into a study folder \(--out\)/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(['study', ...SMALL, ...args])));
    runs.forEach((r, i) => {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(cases[i]?.[1] as RegExp);
    });
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("runs two seed tasks at once into one folder; the merge gives the one-process study's report", async () => {
    const [t0, t1, one] = await Promise.all([
      cli(['study', '--out', split, ...TWO, '--seed-index', '0']),
      cli(['study', '--out', split, ...TWO, '--seed-index', '1']),
      cli(['study', '--out', whole, ...TWO]),
    ]);
    for (const r of [t0, t1, one]) expect(r.code, r.stderr).toBe(0);
    expect(t1.stdout).toContain(`seed index 1 of 2 (seed 2) finished in ${split}`);
    expect(t1.stderr).toMatch(/seed 2: DeepCorrect units: [\d.]+ s/);
    expect(t1.stderr).not.toMatch(/seed 1:/);
    // Each task wrote its own seed's files only: the study's shared files wait for the merge.
    expect((await readdir(split)).sort()).toEqual(['seed-1', 'seed-2', 'stages']);
    expect(await readdir(path.join(split, 'seed-2'))).toContain('seed-task.json');

    // Merged in its folder, and registered in a workspace as a study run there would be.
    const ws = path.join(dir, 'ws');
    await initWorkspace(ws);
    const merged = await cli(['study', 'merge', split, '--workspace', ws]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/2 seeds \(1, 2\): mean ± half-width of the 95% t interval/);
    const report = await readJson<StudyReport>(path.join(split, 'report.json'));
    const reference = await readJson<StudyReport>(path.join(whole, 'report.json'));
    expect(figures(report)).toEqual(figures(reference));
    expect(await readFile(path.join(split, 'study.json'), 'utf8')).toBe(
      await readFile(path.join(whole, 'study.json'), 'utf8'),
    );
    // The command to run it again is the study's in one process: the task's, less its --seed-index.
    expect(report.command).toBe(reference.command?.replace('--out whole', '--out split'));
    // The app opens it as any study.
    const opened = await openStudy(split);
    expect(opened.report.models.map((m) => m.top1)).toEqual(reference.models.map((m) => m.top1));
    expect(opened.html).toContain('deepcorrect-report');

    // In the workspace: complete, every file checksummed, its models named, the same report.
    const workspace = await openWorkspace(ws);
    const [study] = workspace.artefacts;
    expect(study).toMatchObject({ kind: 'study', status: 'complete' });
    expect(study?.provenance?.['models']).toEqual(
      ['seed-1', 'seed-2'].flatMap((s) => [
        `${study?.path}/${s}/deepcorrect`,
        `${study?.path}/${s}/fine-tuned`,
      ]),
    );
    expect(study?.files.map((f) => f.path)).toContain(`${study?.path}/report.json`);
    expect((await checkWorkspace(ws)).problems).toEqual([]);
    const copy = workspace.path(study ?? '');
    expect(merged.stdout).toContain(`report: ${path.join(copy, 'report.html')}`);
    expect(figures(await readJson(path.join(copy, 'report.json')))).toEqual(figures(reference));
  });

  it('names a seed that has not run or not finished by its index, and a setting the tasks differ in', async () => {
    // Seed index 1 never ran: only seed index 0's files.
    const missing = path.join(dir, 'missing');
    await cp(path.join(split, 'seed-1'), path.join(missing, 'seed-1'), { recursive: true });
    await expect(mergeStudy(missing)).rejects.toThrow(
      /seed index 1 \(seed 2\) has not run: run each with --seed-index <index> --resume/,
    );
    await expect(readdir(missing)).resolves.toEqual(['seed-1']);
    // A task of another study (three seeds) in the same folder is refused as it starts, not at the merge.
    const one = await readJson<SeedTaskRecord>(path.join(missing, 'seed-1', 'seed-task.json'));
    const seeds = one.config.seeds ?? [one.config.seed];
    const three = { ...one.config, seeds: [...seeds, Math.max(...seeds) + 1] };
    await expect(
      openSeedTask(missing, three, seedLayout(three, three.seeds.at(-1) as number), 2, false),
    ).rejects.toThrow(/seed-1\/seed-task\.json: holds a study with other settings \(seeds\)/);
    await expect(readdir(missing)).resolves.toEqual(['seed-1']);

    // Seed index 1 killed during fine-tuning: its record holds no result yet, fine-tuning's stage none.
    const killed = path.join(dir, 'killed');
    for (const part of ['seed-1', 'seed-2', 'stages'])
      await cp(path.join(split, part), path.join(killed, part), { recursive: true });
    const record = path.join(killed, 'seed-2', 'seed-task.json');
    const { result: _result, ...started } = await readJson<SeedTaskRecord>(record);
    await writeFile(record, JSON.stringify(started));
    await rm(path.join(killed, 'stages', 'seed-2-fine-tuned.json'));
    await expect(mergeStudy(killed)).rejects.toThrow(
      /seed index 1 \(seed 2\) has not finished \(its finished stages are kept\)/,
    );

    // Run again without --resume, the seed is refused; with it, it continues where it was killed.
    await expect(
      openSeedTask(killed, started.config, seedLayout(started.config, 2), 1, false),
    ).rejects.toThrow(/already holds seed index 1 \(seed 2\) of a study: resume it \(--resume\)/);
    const resumed = await cli(['study', '--out', killed, ...TWO, '--seed-index', '1', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/seed 2: DeepCorrect units: done earlier/);
    expect(resumed.stderr).toMatch(/seed 2: fine-tuning: [\d.]+ s/);
    expect(figures((await mergeStudy(killed)).report)).toEqual(
      figures(await readJson(path.join(split, 'report.json'))),
    );

    // A task that ran with other settings (here: two epochs) is named with the setting and both values.
    const other = path.join(dir, 'other');
    await cp(killed, other, { recursive: true });
    const task = path.join(other, 'seed-2', 'seed-task.json');
    const value = await readJson<SeedTaskRecord>(task);
    value.config.epochs = 2;
    await writeFile(task, JSON.stringify(value));
    await expect(mergeStudy(other)).rejects.toThrow(
      /the seed tasks ran with other settings: epochs is 1 in seed index 0 \(seed-1\/seed-task\.json\) but 2 in seed index 1 \(seed-2\/seed-task\.json\)/,
    );
  });

  it('keeps a resume in one process after the merge: its variants survive a later merge', async () => {
    // The merged split study, resumed without --seed-index to add a variant (as a workstation on the
    // shared folder would): the tasks' records follow that run, and merging again gives its report.
    const resumed = path.join(dir, 'resumed');
    await cp(split, resumed, { recursive: true });
    const studyFile = path.join(resumed, 'study.json');
    const before = await readFile(studyFile, 'utf8');

    // Such a resume cut short leaves study.json with a variant the tasks never ran: the merge refuses
    // rather than write a report without it.
    const { config } = JSON.parse(before) as { config: StudyReport['config'] };
    await writeFile(
      studyFile,
      JSON.stringify({ config: { ...config, variants: [{ name: 'beta-0.5', beta: 0.5 }] } }),
    );
    const reportBefore = await readFile(path.join(resumed, 'report.json'), 'utf8');
    await expect(mergeStudy(resumed)).rejects.toThrow(
      /study\.json records variants its seed tasks did not run \(beta-0\.5\): the study was resumed without --seed-index/,
    );
    expect(await readFile(path.join(resumed, 'report.json'), 'utf8')).toBe(reportBefore);
    await writeFile(studyFile, before);

    const one = await cli(['study', '--out', resumed, ...TWO, '--resume', '--variant', 'beta=0.5']);
    expect(one.code, one.stderr).toBe(0);
    const report = await readJson<StudyReport>(path.join(resumed, 'report.json'));
    expect(report.variants?.map((v) => v.variant.name)).toEqual(['beta-0.5']);
    const task = await readJson<SeedTaskRecord>(path.join(resumed, 'seed-2', 'seed-task.json'));
    expect(task.config.variants?.map((v) => v.name)).toEqual(['beta-0.5']);
    expect(task.result?.timings.every((t) => t.stage.startsWith('seed 2: '))).toBe(true);
    expect(figures((await mergeStudy(resumed)).report)).toEqual(figures(report));
  });

  it('follows a given ranking file instead of ranking, and refuses one of other levels or another distortion', async () => {
    // Seed 1's own ranking from the two-seed study, given to a one-seed study of seed 1 (the same test
    // images, drawn with the first seed, and the same draws): the same units, so the same figures.
    const rankingFile = path.join(whole, 'seed-1', 'ranking.json');
    const given = path.join(dir, 'given');
    const r = await cli(['study', '--out', given, ...SMALL, '--ranking', rankingFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ranking given \(ranking\.json\): [\d.]+ s/);
    expect(r.stderr).not.toMatch(/proxy ranking/);
    const report = await readJson<StudyReport>(path.join(given, 'report.json'));
    expect(report.config.ranking?.file).toBe('ranking.json');
    expect(report.config.rankMethod).toBe('proxy');
    expect(report.config.rankPerClass).toBe(2);
    expect((await readJson<{ layers: unknown }>(path.join(given, 'ranking.json'))).layers).toEqual(
      (await readJson<{ layers: unknown }>(rankingFile)).layers,
    );
    const reference = await readJson<StudyReport>(path.join(whole, 'report.json'));
    const seed1 = (m: StudyModelResult) => m.seeds?.find((s) => s.seed === 1)?.top1;
    expect(report.models.map((m) => m.top1)).toEqual(reference.models.map(seed1));

    // The same ranking saying it ranked other weights (as `rank` records them) than the base model's.
    const otherModel = path.join(dir, 'other-model.json');
    await writeFile(
      otherModel,
      JSON.stringify({ ...(await readJson<object>(rankingFile)), weightsSha256: 'ab'.repeat(32) }),
    );
    const [both, levels, kind, weights] = await Promise.all([
      cli(['study', '--out', path.join(dir, 'both'), ...SMALL, ...RANK, '--ranking', rankingFile]),
      cli([
        'study',
        '--out',
        path.join(dir, 'levels'),
        ...SMALL,
        '--levels',
        '1,2',
        '--ranking',
        rankingFile,
      ]),
      cli([
        'study',
        '--out',
        path.join(dir, 'kind'),
        ...SMALL,
        '--distortion',
        'noise',
        '--ranking',
        rankingFile,
      ]),
      cli(['study', '--out', path.join(dir, 'weights'), ...SMALL, '--ranking', otherModel]),
    ]);
    // The file decides how its ranking was made: --rank beside it is refused.
    expect(both.stderr).toMatch(/--ranking gives the ranking, so --rank, --rank-per-class .* leave them out/);
    expect(levels.stderr).toMatch(/ranking\.json: ranked at levels 1, 3, not the study's 1, 2 \(1,2\)/);
    expect(kind.stderr).toMatch(/ranking\.json: a ranking under blur, not the study's distortion noise/);
    expect(weights.stderr).toMatch(
      /other-model\.json: ranks a model whose weights hash abababababab\.\.\., not the base model fashion-mnist-cnn4 \([0-9a-f]{12}\.\.\.\)/,
    );
    for (const name of ['both', 'levels', 'kind', 'weights'])
      await expect(readdir(path.join(dir, name))).rejects.toThrow(/ENOENT/);
  });
});
