/**
 * The bridge's workspace requests. The host keeps the workspace the UI has open, read-only: browsing takes no
 * lock, so two app instances can look at one workspace; a job that writes into it (study.run with
 * `workspace`, workspace.discard) opens it for writing and takes the lock only while it writes.
 */
import type { RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { summarizeArtefact } from '../../../shared/workspace.ts';
import { checkWorkspace } from '../workspace/check.ts';
import { demoWorkspace } from '../workspace/demo-workspace.ts';
import { WorkspaceError } from '../workspace/errors.ts';
import { initWorkspace, openWorkspace, type Workspace } from '../workspace/workspace.ts';
import type { HostState } from './handlers.ts';

type Name = 'workspace.open' | 'workspace.demo' | 'workspace.check' | 'workspace.discard';
type Handler<N extends Name> = (input: RequestInput<N>, state: HostState) => Promise<RequestOutput<N>>;

/** The lock's tool name while the app writes into a workspace. */
export const APP_TOOL = 'DeepCorrect Workbench';

export function described(ws: Workspace): RequestOutput<'workspace.open'> {
  const manifest = structuredClone(ws.manifest);
  return { root: ws.root, manifest, summary: manifest.artefacts.map(summarizeArtefact) };
}

const open: Handler<'workspace.open'> = async (input, state) => {
  if (input.create === true)
    await initWorkspace(input.path, input.name === undefined ? {} : { name: input.name });
  const ws = await openWorkspace(input.path);
  state.workspace = ws.root;
  return described(ws);
};

const demo: Handler<'workspace.demo'> = async (_input, state) => {
  const ws = await demoWorkspace();
  state.workspace = ws.root;
  return described(ws);
};

const check: Handler<'workspace.check'> = (input) => checkWorkspace(input.path);

const discard: Handler<'workspace.discard'> = async (input) => {
  const ws = await openWorkspace(input.path, { write: true, tool: APP_TOOL });
  try {
    if (ws.artefact(input.artefactId) === undefined)
      throw new WorkspaceError(ws.root, `holds no artefact "${input.artefactId}"`);
    await ws.discard(input.artefactId);
    return described(ws);
  } finally {
    await ws.close();
  }
};

export const WORKSPACE_HANDLERS = {
  'workspace.open': open,
  'workspace.demo': demo,
  'workspace.check': check,
  'workspace.discard': discard,
};
