/**
 * The workbench's views, in navigation order: adding a view (Ranking, Correction, Results, Inspector) is one
 * entry here. Its position is its shortcut (Alt+n or Ctrl+n). Views past the first load on demand, so the
 * charting library stays out of the first screen's bundle.
 */
import { defineAsyncComponent, type Component } from 'vue';
import DatasetsView from './views/datasets/DatasetsView.vue';

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
    id: 'datasets',
    label: 'Datasets',
    hint: 'Browse a dataset by class; compare clean and distorted images',
    component: DatasetsView,
  },
  {
    id: 'models',
    label: 'Models',
    hint: 'Train a baseline and measure its accuracy under distortion',
    component: defineAsyncComponent(() => import('./views/models/ModelsView.vue')),
  },
];
