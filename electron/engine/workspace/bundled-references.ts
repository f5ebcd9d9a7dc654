/**
 * Dataset references recorded as bundled (`resources/datasets/...`: the demo workspace's) name a folder of
 * whichever app reads them. The manifest on disk keeps the bundled form; what the engine answers the UI with
 * names this app's folder, so a view opens the dataset of the checkout (or install) that is running.
 */
import type { WorkspaceManifest } from '../../../shared/workspace.ts';
import { isBundledRecord, resolveRecordedPath } from '../io/recorded-path.ts';

/** `manifest` with each bundled dataset reference resolved against `resources` (default: this app's). */
export function withBundledResolved(manifest: WorkspaceManifest, resources?: string): WorkspaceManifest {
  const how = resources === undefined ? {} : { resources };
  return {
    ...manifest,
    artefacts: manifest.artefacts.map((a) => {
      const at = a.provenance?.['dataset'];
      if (a.kind !== 'dataset' || typeof at !== 'string' || !isBundledRecord(at)) return a;
      return { ...a, provenance: { ...a.provenance, dataset: resolveRecordedPath(at, how) } };
    }),
  };
}
