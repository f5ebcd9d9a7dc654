import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkWorkspace } from '../electron/engine/workspace/check.ts';
import { initWorkspace, openWorkspace } from '../electron/engine/workspace/workspace.ts';
import { round } from './train-bench.ts';

export interface WorkspaceBenchResult {
  bench: 'workspace';
  studies: number;
  files: number;
  manifest_kb: number;
  /** Reading and validating the manifest (the target: under 1 s for 100 studies). */
  open_ms: number;
  /** Hashing every file (check), for scale. */
  check_ms: number;
}

/**
 * A study's files, as many as a real one: reports, stages and two model folders. The topology is not named
 * model.json because these fake bytes are not one, and check would (rightly) report it.
 */
const STUDY_FILES = [
  'study.json',
  'report.json',
  'report.html',
  'ranking.json',
  ...['baseline', 'ranking', 'deepcorrect', 'fine-tuned'].map((s) => `stages/${s}.json`),
  ...['deepcorrect', 'fine-tuned'].flatMap((m) => [
    `${m}/topology.json`,
    `${m}/weights.bin`,
    `${m}/deepcorrect.json`,
  ]),
];

/** Builds a workspace of `studies` registered studies (small fake files) and times open and check. */
export async function benchWorkspace(studies = 100): Promise<WorkspaceBenchResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'dc-bench-workspace-'));
  try {
    await initWorkspace(root, { name: 'bench' });
    const ws = await openWorkspace(root, { write: true, tool: 'bench' });
    for (let i = 0; i < studies; i++) {
      const study = await ws.begin('study', `study ${i}`, { id: `study-${i}` });
      for (const file of STUDY_FILES) {
        const full = path.join(ws.path(study), file);
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, `${file} of study ${i}\n`.repeat(16));
      }
      await ws.complete(study.id);
    }
    await ws.close();
    const start = performance.now();
    const opened = await openWorkspace(root);
    const openMs = performance.now() - start;
    const checkStart = performance.now();
    const check = await checkWorkspace(root);
    const checkMs = performance.now() - checkStart;
    if (!check.ok) throw new Error(`the bench workspace is damaged: ${JSON.stringify(check.problems[0])}`);
    const text = JSON.stringify(opened.manifest, null, 1);
    return {
      bench: 'workspace',
      studies,
      files: opened.artefacts.reduce((s, a) => s + a.files.length, 0),
      manifest_kb: round(text.length / 1024, 1),
      open_ms: round(openMs, 1),
      check_ms: round(checkMs, 1),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
