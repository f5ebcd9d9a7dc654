/**
 * The bridge's workspace requests. The host keeps the workspace the UI has open, read-only: browsing takes no
 * lock, so two app instances can look at one workspace; a job that writes into it (study.run with
 * `workspace`, workspace.discard) opens it for writing and takes the lock only while it writes.
 */
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import { summarizeArtefact } from '../../../shared/workspace.ts';
import { withBundledResolved } from '../workspace/bundled-references.ts';
import { checkWorkspace } from '../workspace/check.ts';
import { DEMO_IDS, demoWorkspace } from '../workspace/demo-workspace.ts';
import { WorkspaceError } from '../workspace/errors.ts';
import { initWorkspace, openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { APP_TOOL, type UseCase } from './context.ts';

export function described(ws: Workspace): RequestOutput<'workspace.open'> {
  // Bundled dataset references (the demo workspace's) answer with this app's folder.
  const manifest = withBundledResolved(structuredClone(ws.manifest));
  return { root: ws.root, manifest, summary: manifest.artefacts.map(summarizeArtefact) };
}

export const openWorkspaceCase: UseCase<'workspace.open'> = {
  run: async (input, { session: state }) => {
    if (input.create === true)
      await initWorkspace(input.path, input.name === undefined ? {} : { name: input.name });
    const ws = await openWorkspace(input.path);
    state.workspace = ws.root;
    return described(ws);
  },
};

export const demoWorkspaceCase: UseCase<'workspace.demo'> = {
  run: async (_input, { session, log }) => {
    const ws = await demoWorkspace();
    session.workspace = ws.root;
    // The demo model opens with the workspace, so the Models view (models.list) is not empty at launch. A
    // copy that does not load (damaged: the entry's provenance.damaged says which file) is left closed.
    const model = ws.artefact(DEMO_IDS.model);
    if (model?.status === 'complete' && model.provenance?.['damaged'] === undefined)
      // The workspace still opens: the Models view offers the model again, and its error says why there.
      await session.models
        .add(ws.path(model), session.inUse?.models)
        .catch((error: unknown) =>
          log?.(`the demo model did not open: ${error instanceof Error ? error.message : String(error)}`),
        );
    return described(ws);
  },
};

export const checkWorkspaceCase: UseCase<'workspace.check'> = { run: (input) => checkWorkspace(input.path) };

export const discardArtefact: UseCase<'workspace.discard'> = {
  run: async (input, context) => {
    const ws = await openWorkspace(input.path, { write: true, tool: context.tool ?? APP_TOOL });
    try {
      if (ws.artefact(input.artefactId) === undefined)
        throw new WorkspaceError(ws.root, `holds no artefact "${input.artefactId}"`);
      await ws.discard(input.artefactId);
      return described(ws);
    } finally {
      await ws.close();
    }
  },
};
