/**
 * The settings "Train both" (Correction view) and a study (Results view) share: the training mix, the conv layers
 * to correct and beta, the ranking's images per class and the fine-tuned layers; with the levels and the unit
 * plan they imply. Each new model starts from the engine's defaults (its first two conv layers, fine-tuning all).
 */
import { computed, watch } from 'vue';
import { CORRECT_DEFAULTS, STUDY_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import type { FormNumber } from '../lib/form-number.ts';
import { levelsFor } from '../lib/level-choices.ts';
import { defaultTrainingMix, trainingMixLabels, type TrainingMix } from '../lib/training-mix.ts';
import { baseConvLayers, draftUnitPlan } from '../lib/unit-parameters.ts';
import type { OpenModel } from '../stores/models.ts';

export interface UnitSettings extends TrainingMix {
  layers: string[];
  beta: FormNumber;
  rankPerClass: FormNumber;
  fineTuneLayers: string;
  /** Units before or after the corrected layers' activation. */
  placement: 'post-activation' | 'pre-activation';
}

export function defaultUnitSettings(): UnitSettings {
  const { beta, rankPerClass } = CORRECT_DEFAULTS;
  return {
    ...defaultTrainingMix(),
    layers: [],
    beta,
    rankPerClass,
    fineTuneLayers: STUDY_DEFAULTS.fineTuneLayers,
    placement: CORRECT_DEFAULTS.placement,
  };
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
      form.layers = convs.value.slice(0, STUDY_DEFAULTS.firstLayers).map((c) => c.name);
      form.fineTuneLayers = STUDY_DEFAULTS.fineTuneLayers;
    },
    { immediate: true },
  );
  const levels = computed(() => levelsFor(form.kind, form.levelChoice, form.customLevels));
  const plan = computed(() => draftUnitPlan(convs.value, form.layers, form.beta));
  /** The chosen layers in the model's order. */
  const layers = computed(() => convs.value.map((c) => c.name).filter((n) => form.layers.includes(n)));
  return { convs, levels, plan, layers };
}
