/**
 * The demo workspace: created on first run from the bundled resources, then opened read-only like any other
 * workspace. It holds a reference to the demo dataset, recorded as bundled (`resources/datasets/...`,
 * resolved against the running app's resources: bundled-references.ts), so that a second or moved checkout
 * opens its own files; and copies of the demo model, the shipped blur study and its ranking with the oracle
 * experiment, registered complete, so every view has something to show at launch without running a job.
 * Each copy is compared with the checksums shipped beside it: a damaged file is still copied, registered
 * with the shipped checksum (so `workspace check` names it) and listed in the entry's provenance.damaged.
 * A demo workspace made by an earlier version (an absolute dataset path, no study) is upgraded in place.
 */
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, ArtefactKind } from '../../../shared/workspace.ts';
import type { StudyConfig } from '../../../shared/study.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { recordPath } from '../io/recorded-path.ts';
import { demoDatasetDir, demoModelDir, demoStudyDir } from '../resources.ts';
import { STUDY_FILE } from '../study/study-folder.ts';
import { demoWorkspaceDir } from './demo-dir.ts';
import { writeManifest } from './manifest-file.ts';
import { MANIFEST_FILE } from './paths.ts';
import { checksumFileOf, readShippedChecksums } from './shipped-checksums.ts';
import { studyProvenance } from './study-provenance.ts';
import { initWorkspace, openWorkspace, type Workspace } from './workspace.ts';

export const DEMO_WORKSPACE_NAME = 'Demo workspace';

/** The demo workspace's artefact ids (fixed: the views open them by id). */
export const DEMO_IDS = {
  dataset: 'fashion-mnist-demo',
  model: 'fashion-mnist-cnn4',
  study: 'fashion-mnist-blur',
  ranking: 'fashion-mnist-blur-ranking',
} as const;

const TOOL = 'deepcorrect demo workspace';

/** A bundled model, study or file copied into the demo workspace. */
interface Shipped {
  kind: ArtefactKind;
  id: string;
  name: string;
  /** The bundled folder or file (absolute). */
  source: string;
  /** Its checksum file, and the name its files are listed under there (the source's own name). */
  checksums: string;
}

function shipped(): Shipped[] {
  const study = demoStudyDir();
  const all: Shipped[] = [
    {
      kind: 'model',
      id: DEMO_IDS.model,
      name: 'fashion-mnist-cnn4',
      source: demoModelDir(),
      checksums: checksumFileOf(demoModelDir()),
    },
    {
      kind: 'study',
      id: DEMO_IDS.study,
      name: 'blur study (3 seeds, shipped)',
      source: study,
      checksums: checksumFileOf(study),
    },
    {
      kind: 'ranking',
      id: DEMO_IDS.ranking,
      name: 'blur ranking of conv1-2 with the oracle experiment (shipped)',
      source: `${study}.ranking.json`,
      checksums: checksumFileOf(study),
    },
  ];
  return all.filter((s) => existsSync(s.source));
}

/** The dataset reference as the demo workspace records it: bundled, never this machine's absolute path. */
function datasetRecord(): string {
  return recordPath(demoDatasetDir());
}

/** What is missing or out of date: nothing means the workspace opens read-only at once. */
function missing(ws: Workspace): { dataset: boolean; shipped: Shipped[] } {
  const complete = (id: string): Artefact | undefined => {
    const a = ws.artefact(id);
    return a?.status === 'complete' ? a : undefined;
  };
  const dataset = demoDataset(ws);
  return {
    dataset: dataset?.status !== 'complete' || dataset.provenance?.['dataset'] !== datasetRecord(),
    shipped: shipped().filter((s) => complete(s.id) === undefined),
  };
}

/** The demo dataset's entry: by id, or (made by an earlier version, with a generated id) by name. */
function demoDataset(ws: Workspace): Artefact | undefined {
  return (
    ws.artefact(DEMO_IDS.dataset) ??
    ws.artefacts.find((a) => a.kind === 'dataset' && a.name === 'fashion-mnist-demo')
  );
}

/** Adds the dataset reference, or rewrites an earlier version's absolute one as bundled (same entry). */
async function addDataset(ws: Workspace): Promise<void> {
  const record = datasetRecord();
  const classes = (await readFile(path.join(demoDatasetDir(), 'classes.txt'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const reference = {
    path: record,
    bundled: true,
    summary: { name: 'fashion-mnist-demo', format: 'idx', classes, bundled: true },
  };
  const provenance = { dataset: record, bundled: true };
  const existing = demoDataset(ws);
  const artefact =
    existing ?? (await ws.begin('dataset', 'fashion-mnist-demo', { id: DEMO_IDS.dataset, provenance }));
  await writeFileAtomic(await ws.checkedPath(artefact), `${JSON.stringify(reference, null, 1)}\n`);
  await ws.complete(artefact.id, provenance);
}

/** The name a file of `s` has in its checksum file. */
function shippedName(s: Shipped, artefact: Artefact, file: string): string {
  const base = path.basename(s.source);
  return file === artefact.path ? base : `${base}/${file.slice(artefact.path.length + 1)}`;
}

/**
 * Copies one bundled artefact in and registers it complete. Returns the files whose bytes are not the
 * shipped ones, with the shipped checksum to record for each (so that a check names them).
 */
async function addShipped(ws: Workspace, s: Shipped): Promise<{ file: string; sha256: string }[]> {
  const sums = await readShippedChecksums(s.checksums);
  const artefact = await ws.begin(s.kind, s.name, {
    id: s.id,
    provenance: { copiedFrom: recordPath(s.source), bundled: true },
  });
  await cp(s.source, await ws.checkedPath(artefact), { recursive: true });
  const extra = s.kind === 'study' ? await shippedStudyProvenance(ws.path(artefact), artefact.path) : {};
  const done = await ws.complete(artefact.id, extra);
  if (sums === undefined) return [];
  const copied = new Set(done.files.map((f) => shippedName(s, done, f.path)));
  const damaged: { file: string; sha256: string }[] = [];
  const named: string[] = [];
  for (const f of done.files) {
    const expected = sums.get(shippedName(s, done, f.path));
    if (expected === f.sha256) continue;
    named.push(expected === undefined ? `${f.path} (not among the shipped files)` : f.path);
    if (expected !== undefined) damaged.push({ file: f.path, sha256: expected });
  }
  // A shipped file that is gone is damage too, though the manifest cannot list a file that is not there.
  if (s.kind !== 'ranking') {
    const prefix = `${path.basename(s.source)}/`;
    for (const k of sums.keys())
      if (k.startsWith(prefix) && !copied.has(k))
        named.push(`${done.path}/${k.slice(prefix.length)} (missing from the shipped copy)`);
  }
  if (named.length > 0) await ws.complete(artefact.id, { damaged: named });
  return damaged;
}

/** The shipped study's entry provenance, as a study run in a workspace records it (study-provenance.ts). */
async function shippedStudyProvenance(dir: string, artefactPath: string): Promise<Record<string, unknown>> {
  try {
    const { config } = JSON.parse(await readFile(path.join(dir, STUDY_FILE), 'utf8')) as {
      config: StudyConfig;
    };
    return studyProvenance(config, artefactPath);
  } catch {
    // A damaged study.json: the checksums name it; the entry lists the files without the summary.
    return {};
  }
}

/** Adds what is missing, discarding what an interrupted earlier fill left. */
async function fill(root: string): Promise<void> {
  const ws = await openWorkspace(root, { write: true, tool: TOOL });
  try {
    // Only the demo's own entries: an interrupted study of the user's in this workspace is theirs to resume.
    const own: readonly string[] = Object.values(DEMO_IDS);
    for (const a of ws.artefacts.filter((x) => x.status === 'interrupted' && own.includes(x.id)))
      await ws.discard(a.id);
    const todo = missing(ws);
    if (todo.dataset) await addDataset(ws);
    const damaged: { file: string; sha256: string }[] = [];
    for (const s of todo.shipped) damaged.push(...(await addShipped(ws, s)));
    if (damaged.length > 0) {
      // The manifest records the shipped checksums of the damaged files: `workspace check` then names each.
      const manifest = structuredClone(ws.manifest);
      for (const a of manifest.artefacts)
        for (const f of a.files) {
          const d = damaged.find((x) => x.file === f.path);
          if (d !== undefined) f.sha256 = d.sha256;
        }
      await writeManifest(ws.root, manifest);
    }
  } finally {
    await ws.close();
  }
}

/**
 * Creates the demo workspace on first run (in `dir`, by default demoWorkspaceDir()), adds what a newer
 * version ships or an interrupted run left out, then opens it read-only.
 */
export async function demoWorkspace(dir: string = demoWorkspaceDir()): Promise<Workspace> {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, MANIFEST_FILE))) {
    try {
      await initWorkspace(root, { name: DEMO_WORKSPACE_NAME });
    } catch (error) {
      // Another process created it a moment ago: fill (or find filled) what it made.
      if (!existsSync(path.join(root, MANIFEST_FILE))) throw error;
    }
  }
  const ws = await openWorkspace(root);
  const todo = missing(ws);
  if (!todo.dataset && todo.shipped.length === 0) return ws;
  try {
    await fill(root);
  } catch (error) {
    // A job of the user's holds the lock (or the disk refuses): the workspace opens as it is, the demo
    // entries are added at a later launch. Only a workspace with nothing in it is no use.
    if (ws.artefacts.length === 0) throw error;
    return ws;
  }
  return openWorkspace(root);
}
