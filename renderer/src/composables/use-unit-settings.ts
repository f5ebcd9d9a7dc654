/**
 * The settings "Train both" (Correction view) and a study (Results view) share: the training mix, the conv layers
 * to correct and beta, the ranking's images per class and the fine-tuned layers; with the levels and the unit
 * plan they imply. Each new model starts from its first two conv layers, fine-tuning all of them.
 */
import { computed, watch } from 'vue';
import type { FormNumber } from '../lib/form-number.ts';
import { levelsFor } from '../lib/level-choices.ts';
import { defaultTrainingMix, trainingMixLabels, type TrainingMix } from '../lib/training-mix.ts';
import { baseConvLayers, draftUnitPlan } from '../lib/unitParameters.ts';
import type { OpenModel } from '../stores/models.ts';

export interface UnitSettings extends TrainingMix {
  layers: string[];
  beta: FormNumber;
  rankPerClass: FormNumber;
  fineTuneLayers: string;
}

export function defaultUnitSettings(): UnitSettings {
  return { ...defaultTrainingMix(), layers: [], beta: 0.5, rankPerClass: 10, fineTuneLayers: 'all' };
}

/** The names of the unit settings' fields in a request whose optimiser is at `optimizer`. */
export function unitSettingsLabels(optimizer?: string) {
  return {
    layers: { label: 'The conv layers', missing: 'Choose at least one conv layer to correct.' },
    beta: 'Beta',
    rankPerClass: 'Ranking images per class',
    ...trainingMixLabels(optimizer),
  };
}

/** Follows the model in `form` (a reactive UnitSettings): its conv layers, the levels, the plan, the chosen layers. */
export function useUnitSettings(model: () => OpenModel, form: UnitSettings) {
  const convs = computed(() => baseConvLayers(model().summary.convLayers));
  watch(
    () => model().modelId,
    () => {
      form.layers = convs.value.slice(0, 2).map((c) => c.name);
      form.fineTuneLayers = 'all';
    },
    { immediate: true },
  );
  const levels = computed(() => levelsFor(form.kind, form.levelChoice, form.customLevels));
  const plan = computed(() => draftUnitPlan(convs.value, form.layers, form.beta));
  /** The chosen layers in the model's order. */
  const layers = computed(() => convs.value.map((c) => c.name).filter((n) => form.layers.includes(n)));
  return { convs, levels, plan, layers };
}
