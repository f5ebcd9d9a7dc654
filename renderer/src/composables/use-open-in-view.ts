/**
 * Opens what the folder browser chose in its view: a dataset in Datasets, a model in Models, a workspace in
 * Workspace, a study in Results, a ranking file in Ranking (attached to the selected model, as the workspace's
 * rankings are). Each store shows its own error; the view changes only when the opening worked.
 */
import type { OpenableKind } from '../../../shared/folder-browse.ts';
import { OPENS_IN } from '../lib/folder-browser.ts';
import { useDatasets } from '../stores/datasets.ts';
import { useModels } from '../stores/models.ts';
import { useNavigation } from '../stores/navigation.ts';
import { useRankings } from '../stores/rankings.ts';
import { useStudies } from '../stores/studies.ts';
import { useWorkspace } from '../stores/workspace.ts';

export function useOpenInView(): (kind: OpenableKind, path: string) => Promise<boolean> {
  const datasets = useDatasets();
  const models = useModels();
  const rankings = useRankings();
  const studies = useStudies();
  const workspace = useWorkspace();
  const navigation = useNavigation();

  const opened: Record<OpenableKind, (path: string) => Promise<boolean>> = {
    dataset: (path) => datasets.open(path),
    model: async (path) => (await models.open(path)) !== undefined,
    workspace: (path) => workspace.open(path),
    study: async (path) => (await studies.openFolder(path)) !== undefined,
    ranking: async (path) => (await rankings.openFile(path, models.selected?.modelId)) !== undefined,
  };

  return async (kind, path) => {
    const ok = await opened[kind](path);
    if (ok) navigation.go(OPENS_IN[kind].view);
    return ok;
  };
}
