// SIGKILL at randomised moments of `deepcorrect study --workspace`: startup, ranking, unit training,
// checkpoint and model writes, fine-tuning, the report, the manifest update. After each kill the workspace
// must open (taking over the dead process's lock), check clean for every complete artefact, and still hold
// every artefact saved before, byte for byte. The result line is quoted in tests/faults/README.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { checkWorkspace, openWorkspace, WorkspaceError } from '../../electron/engine/workspace/index.ts';
import { deepcorrect, lostFiles, SMALL, savedOf, type Saved } from './fault-kit.ts';

/** The issue's target: at least 50 kill points that actually land (runs that ended first do not count). */
const KILL_POINTS = 50;
const SEED = 0x8f4;

/** Where the run was when killed: the last stage line it printed (stderr is written synchronously). */
function stageOf(stderr: string): string {
  const last = stderr.trim().split('\n').at(-1) ?? '';
  if (last === '') return 'startup (before the lock)';
  if (/^taking over /.test(last)) return 'startup (lock taken over)';
  if (/^(resuming )?study /.test(last)) return 'registered, before the first stage';
  if (/^backend:/.test(last)) return 'startup (model, data)';
  if (/^baseline evaluation/.test(last)) return last.endsWith('...') ? 'baseline' : 'ranking';
  if (/ranking/.test(last)) return last.endsWith('...') ? 'ranking' : 'unit training';
  if (/^DeepCorrect units/.test(last)) return last.endsWith('...') ? 'unit training' : 'fine-tuning';
  if (/^fine-tuning/.test(last)) return last.endsWith('...') ? 'fine-tuning' : 'report and manifest';
  return `other: ${last.slice(0, 60)}`;
}

const manifestOf = async (ws: string): Promise<WorkspaceManifest> =>
  JSON.parse(await readFile(path.join(ws, 'deepcorrect-workspace.json'), 'utf8')) as WorkspaceManifest;

/** Interrupted studies that recorded their settings (study.json): the ones --resume can pick. */
async function resumable(ws: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of (await manifestOf(ws)).artefacts)
    if (a.status === 'interrupted') {
      const has = await readFile(path.join(ws, a.path, 'study.json')).then(
        () => true,
        () => false,
      );
      if (has) out.push(a.id);
    }
  return out;
}

describe('SIGKILL at random points of a workspace study', () => {
  let dir: string;
  let ws: string;
  let fullRunMs = 0;
  /** artefact id → its files' checksums, from the moment it was first seen complete. */
  const saved = new Map<string, Saved>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-faults-kill-'));
    ws = path.join(dir, 'ws');
    const init = await deepcorrect(['workspace', 'init', ws, '--name', 'kill points']);
    expect(init.code, init.stderr).toBe(0);
    // The study every kill must leave alone; its run also measures how long an uninterrupted run takes.
    const first = await deepcorrect(['study', '--workspace', ws, ...SMALL]);
    expect(first.code, first.stderr).toBe(0);
    fullRunMs = first.ms;
    const check = await checkWorkspace(ws);
    expect(check.problems).toEqual([]);
    for (const a of (await manifestOf(ws)).artefacts)
      if (a.status === 'complete') saved.set(a.id, savedOf(a));
    expect(saved.size).toBe(1);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`loses no saved artefact across ${KILL_POINTS} kill points`, { timeout: 900_000 }, async () => {
    const random = mulberry32(SEED);
    const stages = new Map<string, number>();
    let kills = 0;
    let attempts = 0;
    let finishedFirst = 0;
    let takenOverByTest = 0;
    let resumesRun = 0;
    let discards = 0;
    let lost = 0;
    const lostDetail: string[] = [];
    const started = performance.now();

    /** After any fault: opens, checks, and compares every saved artefact with its checksums. */
    const verify = async (label: string): Promise<void> => {
      // Read-only open: the manifest is whole and valid (atomic writes: the old one or the new one).
      const reader = await openWorkspace(ws);
      expect(reader.artefacts.length).toBeGreaterThan(0);
      const check = await checkWorkspace(ws);
      expect(check.problems, `${label}: check found damage`).toEqual([]);
      const byId = new Map((await manifestOf(ws)).artefacts.map((a) => [a.id, a]));
      for (const [id, files] of saved) {
        const entry = byId.get(id);
        const problems =
          entry?.status !== 'complete'
            ? [`${id}: ${entry === undefined ? 'no longer listed' : 'no longer complete'}`]
            : [
                ...(await lostFiles(ws, files)).map((f) => `${id}: ${f}`),
                ...(JSON.stringify([...savedOf(entry)]) === JSON.stringify([...files])
                  ? []
                  : [`${id}: its manifest entry lists other files or checksums`]),
              ];
        if (problems.length > 0) {
          lost++;
          lostDetail.push(`${label}: ${problems.join('; ')}`);
        }
      }
      // Artefacts completed during the kills (a run killed after its last manifest write, or a resume)
      // are saved work from now on, and checked after every later kill.
      for (const [id, a] of byId) if (a.status === 'complete' && !saved.has(id)) saved.set(id, savedOf(a));
    };

    while (kills < KILL_POINTS) {
      attempts++;
      // Kill points are spread uniformly over the whole run, and a little past it: the tail catches the
      // manifest update and exit, and runs that finished first are counted apart.
      const delay = random() * 1.1 * fullRunMs;
      // Some kills land in a resumed run, which rewrites an interrupted study's folder in place.
      const candidates = await resumable(ws);
      const resume = candidates.length > 0 && random() < 0.35;
      const run = await deepcorrect(
        ['study', '--workspace', ws, ...SMALL, ...(resume ? ['--resume'] : [])],
        delay,
      );
      if (run.signal === 'SIGKILL') {
        kills++;
        const stage = `${resume ? 'resume: ' : ''}${stageOf(run.stderr)}`;
        stages.set(stage, (stages.get(stage) ?? 0) + 1);
      } else {
        finishedFirst++;
        expect(run.code, run.stderr).toBe(0);
      }

      // The dead process's lock: half the time taken over here through the API, half by the next run.
      if (random() < 0.5) {
        try {
          const writer = await openWorkspace(ws, { write: true, tool: 'fault test' });
          await writer.close();
          takenOverByTest++;
        } catch (error) {
          // A kill between creating .lock and writing it leaves an empty lock, which is documented to stand
          // for ten seconds (it may be one being written): wait it out, then it must be taken over.
          expect(error).toBeInstanceOf(WorkspaceError);
          expect(String(error)).toMatch(/being opened by another process/);
          await new Promise((r) => setTimeout(r, 10_500));
          const writer = await openWorkspace(ws, { write: true, tool: 'fault test' });
          await writer.close();
        }
      }
      await verify(`kill ${kills} (attempt ${attempts}, ${delay.toFixed(0)} ms)`);

      if (kills > 0 && kills % 10 === 0 && run.signal === 'SIGKILL') {
        // The workspace grows: one interrupted study resumed to completion, and every other time one discarded.
        if ((await resumable(ws)).length > 0) {
          const resumed = await deepcorrect(['study', '--workspace', ws, ...SMALL, '--resume']);
          expect(resumed.code, resumed.stderr).toBe(0);
          resumesRun++;
        }
        const interrupted = (await manifestOf(ws)).artefacts.filter((a) => a.status === 'interrupted');
        const victim = interrupted[Math.floor(random() * interrupted.length)];
        if ((kills / 10) % 2 === 1 && victim !== undefined) {
          const discarded = await deepcorrect(['workspace', 'discard', ws, victim.id]);
          expect(discarded.code, discarded.stderr).toBe(0);
          discards++;
        }
        await verify(`after the maintenance at kill ${kills}`);
      }
    }

    const end = await manifestOf(ws);
    const complete = end.artefacts.filter((a) => a.status === 'complete').length;
    const interrupted = end.artefacts.length - complete;
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const lines = [
      `kill points: ${kills} SIGKILLs landed in ${attempts} runs (${finishedFirst} finished before their kill); ` +
        `an uninterrupted run takes ${(fullRunMs / 1000).toFixed(1)} s; ${seconds} s in all`,
      `complete artefacts at the end: ${complete} (1 before the kills); lost saved artefacts: ${lost}; ` +
        `interrupted left: ${interrupted}; resumed to completion: ${resumesRun}; discarded: ${discards}; ` +
        `locks taken over by the test: ${takenOverByTest}, by the next run: the rest`,
      `where the kills landed: ${[...stages]
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    ];
    process.stdout.write(`\n[fault-injection] ${lines.join('\n[fault-injection] ')}\n`);
    expect(lostDetail).toEqual([]);
    expect(lost).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(KILL_POINTS);
    expect(complete).toBeGreaterThan(1);
  });
});
