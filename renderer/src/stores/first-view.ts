/**
 * The views' first content: when a workspace holding a complete study is opened and nothing else is open (the
 * demo workspace on first run), Results opens on its newest study, Ranking on its ranking (with the oracle
 * experiment saved with it), Correction on the study's training curves, and the Inspector on the corrected
 * model of the study's first seed at a mid level with the most-corrected filter selected. Nothing is computed:
 * every step reads a file (study.open, models.open, rank.open), in the order the views need them, after the
 * workspace is listed.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import {
  baseModelLocation,
  correctedModelFolder,
  type InspectorPreset,
  midLevel,
  mostCorrectedFilter,
  newestComplete,
  rankingFits,
  studyRankingFile,
} from '../lib/first-view.ts';
import { useJobs } from './jobs.ts';
import { useModels, type OpenModel } from './models.ts';
import { useRankings } from './rankings.ts';
import { useStudies } from './studies.ts';
import { useToasts } from './toasts.ts';
import { useWorkspace, type OpenWorkspace } from './workspace.ts';

export type { InspectorPreset };

export type FirstViewState = 'idle' | 'loading' | 'ready' | 'failed';

export const useFirstView = defineStore('firstView', () => {
  const workspace = useWorkspace();
  const studies = useStudies();
  const rankings = useRankings();
  const models = useModels();
  const jobs = useJobs();
  const toasts = useToasts();

  const state = ref<FirstViewState>('idle');
  /** The study folder the views were opened on. */
  const studyPath = ref<string | null>(null);
  const inspector = shallowRef<InspectorPreset | null>(null);
  /** Milliseconds each step took (the UI bench reads them from the page). */
  const timings = ref<Record<string, number>>({});

  /** Nothing of the user's is shown yet: no study, no ranking, no unit training of this session. */
  function nothingOpen(): boolean {
    return (
      studies.list.length === 0 &&
      rankings.opened.length === 0 &&
      rankings.runs.length === 0 &&
      jobs.ofKind('correct.train').length === 0
    );
  }

  async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings.value = { ...timings.value, [step]: Math.round(performance.now() - started) };
    }
  }

  /** The study's base model, found as it was recorded (lib/first-view.ts baseModelLocation). */
  async function openBase(opened: OpenWorkspace, recorded: string): Promise<OpenModel | undefined> {
    const where = baseModelLocation(recorded, opened.manifest.artefacts);
    if (where === undefined) {
      toasts.show(
        `The study's base model (${recorded}) is not in this workspace: open it in Models to see its ranking and maps.`,
        'info',
      );
      return undefined;
    }
    if (where === 'bundled') return models.open();
    return models.open('absolute' in where ? where.absolute : workspace.location(where.workspace));
  }

  async function prepare(opened: OpenWorkspace): Promise<void> {
    const artefact = newestComplete(opened.manifest.artefacts, 'study');
    if (artefact === undefined) return;
    state.value = 'loading';
    timings.value = {};
    try {
      // Results: the report only.
      const study = await timed('study', () => studies.openFolder(workspace.location(artefact.path)));
      if (study === undefined) throw new Error('the study did not open');
      studyPath.value = study.path;
      const report = study.report;

      // Ranking: the base model, then the workspace's ranking (with its oracle experiment) or the study's own.
      const baseline = report.models.find((m) => m.role === 'baseline');
      const base = await timed('baseModel', () =>
        openBase(opened, baseline === undefined ? report.config.model : baseline.path),
      );
      if (base === undefined) throw new Error('the base model did not open');
      const saved = newestComplete(opened.manifest.artefacts, 'ranking');
      const studyRanking = studyRankingFile(study.path, report);
      let ranking = await timed('ranking', () =>
        rankings.openFile(saved === undefined ? studyRanking : workspace.location(saved.path), base.modelId),
      );
      // The workspace's ranking is the study's only if it ranks the study's layers under its distortion.
      if (ranking !== undefined && saved !== undefined && !rankingFits(ranking.ranking, report)) {
        rankings.attach(ranking.path, undefined);
        ranking = await rankings.openFile(studyRanking, base.modelId);
      }

      // Inspector: the first seed's corrected model, a mid level, the filter whose correction recovers most.
      const folder = correctedModelFolder(study.path, report);
      const corrected =
        folder === undefined ? undefined : await timed('correctedModel', () => models.open(folder, false));
      const top =
        ranking === undefined ? undefined : mostCorrectedFilter(ranking.ranking, report.config.layers);
      const level = midLevel(report.config.levels);
      if (top !== undefined && level !== undefined)
        inspector.value = {
          modelId: base.modelId,
          correctedId: corrected?.modelId ?? '',
          kind: report.config.kind,
          level,
          layer: top.layer,
          filter: top.filter,
        };
      state.value = 'ready';
    } catch {
      // Each step's own toast says what failed; the views show what did open.
      state.value = 'failed';
    }
  }

  // A workspace opened with nothing else open (each root once per session, so a Reload does not reopen).
  const seen = new Set<string>();
  watch(
    () => workspace.current,
    (opened) => {
      if (opened === null || seen.has(opened.root)) return;
      seen.add(opened.root);
      if (state.value !== 'loading' && nothingOpen()) void prepare(opened);
    },
  );

  return { state, studyPath, inspector, timings };
});
