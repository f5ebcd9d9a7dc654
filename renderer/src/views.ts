/**
 * The workbench's views, in navigation order: adding a view (Ranking, Correction, Results, Inspector) is one
 * entry here (and its id in view-ids.ts). Its position is its shortcut (Alt+n or Ctrl+n): the Workspace start
 * page is Alt+1. Views other than the first two load on demand, so the charting library stays out of the
 * first screen's bundle.
 */
import { defineAsyncComponent, type Component } from 'vue';
import DatasetsView from './views/datasets/DatasetsView.vue';
import WorkspaceView from './views/workspace/WorkspaceView.vue';

/** The views loaded on demand, each by its module (prefetchViews loads them ahead, in this order). */
const LOADERS = {
  results: () => import('./views/results/ResultsView.vue'),
  ranking: () => import('./views/ranking/RankingView.vue'),
  correction: () => import('./views/correction/CorrectionView.vue'),
  inspector: () => import('./views/inspector/InspectorView.vue'),
  models: () => import('./views/models/ModelsView.vue'),
  evaluation: () => import('./views/evaluation/EvaluationView.vue'),
} as const;

export interface ViewEntry {
  /** Stable id, also in the nav button's data-testid (`nav-<id>`). */
  id: string;
  label: string;
  /** One line for the navigation's tooltip. */
  hint: string;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  {
    id: 'workspace',
    label: 'Workspace',
    hint: 'Recent workspaces, the demo workspace; the open workspace’s models and studies',
    component: WorkspaceView,
  },
  {
    id: 'datasets',
    label: 'Datasets',
    hint: 'Browse a dataset by class; compare clean and distorted images',
    component: DatasetsView,
  },
  {
    id: 'models',
    label: 'Models',
    hint: 'Train a baseline or import a model; its card',
    component: defineAsyncComponent(LOADERS.models),
  },
  {
    id: 'evaluation',
    label: 'Evaluation',
    hint: 'Accuracy versus distortion level, models overlaid; per class and confusion',
    component: defineAsyncComponent(LOADERS.evaluation),
  },
  {
    id: 'ranking',
    label: 'Ranking',
    hint: 'Correction priority of every conv filter; the oracle experiment',
    component: defineAsyncComponent(LOADERS.ranking),
  },
  {
    id: 'correction',
    label: 'Correction',
    hint: 'Train correction units beside the fine-tuning baseline',
    component: defineAsyncComponent(LOADERS.correction),
  },
  {
    id: 'results',
    label: 'Results',
    hint: 'Baseline, fine-tuned and DeepCorrect side by side; run a study; export',
    component: defineAsyncComponent(LOADERS.results),
  },
  {
    id: 'inspector',
    label: 'Inspector',
    hint: 'Clean, distorted and corrected activation maps of one image, filter by filter',
    component: defineAsyncComponent(LOADERS.inspector),
  },
];

/**
 * Loads every on-demand view's module (and the charting library with them) one after another, so the first
 * visit of a view draws at once instead of waiting for its code: called once the start page has what it shows.
 */
export async function prefetchViews(): Promise<void> {
  for (const load of Object.values(LOADERS)) {
    try {
      await load();
    } catch {
      // A chunk that fails now is loaded (and its failure shown) when its view is opened.
    }
  }
}
