/**
 * Studies (shared/study.ts StudyReport) of this session: the reports of finished study.run jobs and the study
 * folders opened with study.open, one of them selected for the Results view; the self-contained HTML report
 * of each, fetched on demand.
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import type { StudyReport } from '../../../shared/study.ts';
import { useBridge } from '../bridge/inject.ts';
import { useJobs } from './jobs.ts';
import { useToasts } from './toasts.ts';

export type StudyInput = RequestInput<'study.run'>;

export interface StudyEntry {
  /** 'job:<id>' for a study run here, 'path:<folder>' for one opened. */
  key: string;
  source: 'run' | 'opened';
  /** The study folder. */
  path: string;
  report: StudyReport;
  jobId?: string;
}

export const useStudies = defineStore('studies', () => {
  const client = useBridge();
  const jobs = useJobs();
  const toasts = useToasts();
  const opened = shallowRef<StudyEntry[]>([]);
  const selectedKey = ref<string | null>(null);
  const opening = ref(false);
  /** The job started here whose study is selected once it finishes. */
  const pendingJob = ref<string | null>(null);
  const htmlByPath = new Map<string, string>();

  const runs = computed<StudyEntry[]>(() =>
    jobs.ofKind('study.run').flatMap((j) =>
      j.status === 'done' && j.result !== undefined
        ? [
            {
              key: `job:${j.id}`,
              source: 'run' as const,
              // A study run into a workspace learns its folder (studies/<id>) from the result.
              path: j.input.outDir ?? j.result.outDir ?? '',
              report: j.result,
              jobId: j.id,
            },
          ]
        : [],
    ),
  );

  /** Runs first, then opened folders, oldest first within each. */
  const list = computed<StudyEntry[]>(() => [...runs.value, ...opened.value]);
  const selected = computed<StudyEntry | null>(
    () => list.value.find((s) => s.key === selectedKey.value) ?? list.value.at(-1) ?? null,
  );
  const running = computed(() => jobs.active.find((j) => j.name === 'study.run'));

  watch(
    () => (pendingJob.value === null ? undefined : jobs.get(pendingJob.value)?.status),
    (status) => {
      if (status === 'done' && pendingJob.value !== null) {
        selectedKey.value = `job:${pendingJob.value}`;
        pendingJob.value = null;
      }
    },
  );

  async function run(input: StudyInput): Promise<string | undefined> {
    const id = await jobs.startJob('study.run', input);
    if (id !== undefined) pendingJob.value = id;
    return id;
  }

  /** Opens a study folder (report.json; the HTML report is fetched when exported) and selects it. */
  async function openFolder(path: string): Promise<StudyEntry | undefined> {
    opening.value = true;
    try {
      const out = await client.request('study.open', { path, html: false });
      const entry: StudyEntry = {
        key: `path:${out.path}`,
        source: 'opened',
        path: out.path,
        report: markRaw(out.report),
      };
      opened.value = [...opened.value.filter((s) => s.key !== entry.key), entry];
      selectedKey.value = entry.key;
      return entry;
    } catch (error) {
      toasts.error(error, `Opening the study ${path}`);
      return undefined;
    } finally {
      opening.value = false;
    }
  }

  /** Desktop only: the folder dialog, then open what the user chose. */
  async function pickAndOpen(): Promise<StudyEntry | undefined> {
    if (client.transport.pickPath === undefined) return undefined;
    try {
      const chosen = await client.transport.pickPath('study-folder');
      return chosen === undefined ? undefined : await openFolder(chosen);
    } catch (error) {
      toasts.error(error, 'Opening the folder dialog');
      return undefined;
    }
  }

  /** The study's self-contained report.html (study.open on its folder for a study run here). */
  async function htmlFor(entry: StudyEntry): Promise<string | undefined> {
    const known = htmlByPath.get(entry.path);
    if (known !== undefined) return known;
    try {
      const out = await client.request('study.open', { path: entry.path });
      if (out.html !== undefined) htmlByPath.set(entry.path, out.html);
      return out.html;
    } catch (error) {
      toasts.error(error, `Reading the HTML report of ${entry.path}`);
      return undefined;
    }
  }

  function select(key: string): void {
    if (list.value.some((s) => s.key === key)) selectedKey.value = key;
  }

  return { list, selected, selectedKey, opening, running, run, openFolder, pickAndOpen, htmlFor, select };
});
