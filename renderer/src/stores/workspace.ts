/**
 * The open workspace and the recent ones. A workspace is a folder the user chooses (docs/workspace.md); the
 * engine opens it read-only for browsing, so two app instances can look at one workspace, and a job writing
 * into it takes its lock only while it writes. The recent list lives in localStorage; on first run (no recent
 * workspace) the demo workspace is opened.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import type { WorkspaceCheck } from '../../../shared/workspace.ts';
import { useBridge } from '../bridge/inject.ts';
import {
  addRecent,
  artefactLocation,
  parseRecent,
  removeRecent,
  type RecentWorkspace,
} from '../lib/workspace-recent.ts';
import { pageStorage } from '../lib/page-storage.ts';
import { useJobs } from './jobs.ts';
import { useToasts } from './toasts.ts';

export type OpenWorkspace = RequestOutput<'workspace.open'>;

export const RECENT_KEY = 'deepcorrect.recentWorkspaces';

function readRecent(): RecentWorkspace[] {
  try {
    return parseRecent(pageStorage()?.getItem(RECENT_KEY) ?? null);
  } catch {
    return [];
  }
}

export const useWorkspace = defineStore('workspace', () => {
  const client = useBridge();
  const toasts = useToasts();
  const jobs = useJobs();
  const recent = ref<RecentWorkspace[]>(readRecent());
  const current = shallowRef<OpenWorkspace | null>(null);
  const opening = ref(false);
  const checking = ref(false);
  const lastCheck = shallowRef<WorkspaceCheck | null>(null);

  watch(recent, (list) => {
    try {
      pageStorage()?.setItem(RECENT_KEY, JSON.stringify(list));
    } catch {
      // Storage full or disabled: the list lasts this session only.
    }
  });

  const root = computed(() => current.value?.root ?? null);

  function show(opened: OpenWorkspace): void {
    current.value = opened;
    lastCheck.value = null;
    recent.value = addRecent(recent.value, {
      path: opened.root,
      name: opened.manifest.name,
      openedAt: new Date().toISOString(),
    });
  }

  async function guarded(context: string, work: () => Promise<OpenWorkspace>): Promise<boolean> {
    opening.value = true;
    try {
      show(await work());
      return true;
    } catch (error) {
      toasts.error(error, context);
      return false;
    } finally {
      opening.value = false;
    }
  }

  const open = (path: string): Promise<boolean> =>
    guarded(`Opening the workspace ${path}`, () => client.request('workspace.open', { path }));

  const create = (path: string, name?: string): Promise<boolean> =>
    guarded(`Creating a workspace in ${path}`, () =>
      client.request('workspace.open', {
        path,
        create: true,
        ...(name === undefined || name === '' ? {} : { name }),
      }),
    );

  const openDemo = (): Promise<boolean> =>
    guarded('Opening the demo workspace', () => client.request('workspace.demo', {}));

  /** Reads the open workspace's manifest again (after a job wrote into it). */
  async function refresh(): Promise<void> {
    const at = root.value;
    if (at === null) return;
    try {
      const again = await client.request('workspace.open', { path: at });
      if (root.value === at) current.value = again;
    } catch (error) {
      toasts.error(error, `Reading the workspace ${at}`);
    }
  }

  async function check(): Promise<WorkspaceCheck | undefined> {
    const at = root.value;
    if (at === null) return undefined;
    checking.value = true;
    try {
      const result = await client.request('workspace.check', { path: at });
      lastCheck.value = result;
      return result;
    } catch (error) {
      toasts.error(error, `Checking the workspace ${at}`);
      return undefined;
    } finally {
      checking.value = false;
    }
  }

  async function discard(artefactId: string): Promise<void> {
    const at = root.value;
    if (at === null) return;
    try {
      current.value = await client.request('workspace.discard', { path: at, artefactId });
      lastCheck.value = null;
    } catch (error) {
      toasts.error(error, `Discarding ${artefactId}`);
    }
  }

  function forget(path: string): void {
    recent.value = removeRecent(recent.value, path);
  }

  /** An artefact's folder or file, absolute. */
  function location(relative: string): string {
    return artefactLocation(root.value ?? '', relative);
  }

  /** At start: the demo workspace on first run (nothing recent); otherwise the user picks from the list. */
  async function start(): Promise<void> {
    if (recent.value.length === 0 && current.value === null) await openDemo();
  }

  // What a job saved into the open workspace (a study, an evaluation, a ranking, a model's copy...) shows up in
  // it when the job ends (done, failed or cancelled).
  watch(
    () =>
      jobs.all
        .filter(
          (j) =>
            (j.input as { workspace?: string } | undefined)?.workspace !== undefined &&
            (j.status === 'done' || j.status === 'failed' || j.status === 'cancelled'),
        )
        .map((j) => j.id)
        .join(','),
    () => void refresh(),
  );

  return {
    recent,
    current,
    root,
    opening,
    checking,
    lastCheck,
    open,
    create,
    openDemo,
    refresh,
    check,
    discard,
    forget,
    location,
    start,
  };
});
