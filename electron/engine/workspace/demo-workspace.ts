/**
 * The demo workspace: created on first run from the bundled resources (a reference to the demo dataset and a
 * copy of the demo model, registered complete), then opened read-only like any other workspace.
 */
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { demoDatasetDir, demoModelDir } from '../resources.ts';
import { demoWorkspaceDir } from './demo-dir.ts';
import { MANIFEST_FILE } from './paths.ts';
import { initWorkspace, openWorkspace, type Workspace } from './workspace.ts';

export const DEMO_WORKSPACE_NAME = 'Demo workspace';

async function fill(root: string): Promise<void> {
  const ws = await openWorkspace(root, { write: true, tool: 'deepcorrect demo workspace' });
  try {
    const dataset = demoDatasetDir();
    const classes = (await readFile(path.join(dataset, 'classes.txt'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (!ws.artefacts.some((a) => a.kind === 'dataset'))
      await ws.addDataset(
        dataset,
        { name: 'fashion-mnist-demo', format: 'idx', classes, bundled: true },
        'fashion-mnist-demo',
      );
    if (!ws.artefacts.some((a) => a.kind === 'model')) {
      const model = await ws.begin('model', 'fashion-mnist-cnn4', {
        id: 'fashion-mnist-cnn4',
        provenance: { copiedFrom: 'resources/models/fashion-mnist-cnn4' },
      });
      await cp(demoModelDir(), await ws.checkedPath(model), { recursive: true });
      await ws.complete(model.id);
    }
  } finally {
    await ws.close();
  }
}

/** Creates the demo workspace on first run (in `dir`, by default demoWorkspaceDir()), then opens it read-only. */
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
  const has = (kind: string): boolean => ws.artefacts.some((a) => a.kind === kind && a.status === 'complete');
  if (has('dataset') && has('model')) return ws;
  // First run, or one cut short: add what is missing (an interrupted copy of the model is replaced).
  const writable = await openWorkspace(root, { write: true, tool: 'deepcorrect demo workspace' });
  try {
    for (const a of writable.artefacts.filter((x) => x.status === 'interrupted'))
      await writable.discard(a.id);
  } finally {
    await writable.close();
  }
  await fill(root);
  return openWorkspace(root);
}
