/**
 * The Inspector's form: which models, image, distortion, seed and conv layer to inspect, and how to colour the
 * maps. Its defaults follow what the rest of the workbench has open; its draft is checked with the contract's
 * own schema for inspect.activations, plus what only the open dataset and models can tell.
 */
import { computed, reactive, ref, watch, type Ref } from 'vue';
import { CONTRACT } from '../../../../shared/bridge/contract.ts';
import type { SplitName } from '../../../../shared/datasets.ts';
import { DISTORTIONS, validateSpec, type DistortionKind } from '../../../../shared/distortions.ts';
import { isCorrectedArch } from '../../../../shared/models.ts';
import type { MapsInput } from '../../composables/use-activation-maps.ts';
import type { InspectorPreset } from '../../lib/first-view.ts';
import { checkDraft, type FieldLabels } from '../../lib/schema-issues.ts';
import { useDatasets } from '../../stores/datasets.ts';
import { useModels, type OpenModel } from '../../stores/models.ts';

export interface InspectDraft {
  modelId: string;
  /** '' for none. */
  correctedId: string;
  split: SplitName;
  index: number;
  kind: DistortionKind;
  level: number;
  seed: number;
  layer: string;
  /** One colour scale per filter's maps, or one over the whole layer. */
  scale: 'filter' | 'layer';
}

const INPUT = CONTRACT['inspect.activations'].input;
export const MAX_SEED = INPUT.shape.seed.maxValue ?? Number.MAX_SAFE_INTEGER;

/** In the order the form asks for them: the first problem shown is the first field's. */
const LABELS: FieldLabels = {
  datasetId: { label: 'Dataset', missing: 'Open a dataset first.' },
  modelId: { label: 'Model', missing: 'Choose a model.' },
  layer: { label: 'Conv layer', missing: 'The model has no conv layer to inspect.' },
  index: 'Image index',
  'spec.level': 'Level',
  seed: 'Seed',
  correctedModelId: 'Corrected model',
};

export function isCorrected(m: OpenModel): boolean {
  return isCorrectedArch(m.metadata.arch);
}

/** Takes the image selected in the Datasets view (its split and index). */
export function takeSelectedImage(draft: InspectDraft): void {
  const datasets = useDatasets();
  const selected = datasets.selectedIndex;
  if (selected === null || datasets.summary === null) return;
  draft.split = datasets.split;
  draft.index = selected;
}

/** The request for a draft, or the first problem with it. */
export function inspectRequest(
  draft: InspectDraft,
  datasetId: string,
  imageCount: number,
): MapsInput | string {
  // The contract bounds the index from below only; the open split bounds it from above.
  const schema = INPUT.extend({ index: INPUT.shape.index.max(Math.max(0, imageCount - 1)) });
  const checked = checkDraft(
    schema,
    {
      modelId: draft.modelId,
      ...(draft.correctedId !== '' ? { correctedModelId: draft.correctedId } : {}),
      datasetId,
      split: draft.split,
      index: draft.index,
      layer: draft.layer,
      spec: { kind: draft.kind, level: draft.level },
      seed: draft.seed,
    },
    LABELS,
  );
  if (!checked.ok) return checked.first;
  try {
    // The schema holds a level to the widest range of any kind; the engine holds it to its own kind's.
    validateSpec(checked.input.spec);
  } catch (error) {
    return `${(error as Error).message}.`;
  }
  if (checked.input.correctedModelId === checked.input.modelId)
    return 'The corrected model must differ from the base model.';
  return checked.input;
}

/** `preset`: what to open on once its models are open (the first view's: stores/first-view.ts). */
export function useInspectorForm(preset?: Readonly<Ref<InspectorPreset | null>>) {
  const models = useModels();
  const datasets = useDatasets();
  const draft = reactive<InspectDraft>({
    modelId: '',
    correctedId: '',
    split: 'test',
    index: 0,
    kind: 'blur',
    level: DISTORTIONS.blur.severity[2],
    seed: 0,
    layer: '',
    scale: 'filter',
  });

  const model = computed(() => models.byId(draft.modelId) ?? null);
  const layers = computed(() => model.value?.summary.convLayers ?? []);
  const splits = computed(() => datasets.summary?.splits ?? []);
  const imageCount = computed(() => splits.value.find((s) => s.name === draft.split)?.count ?? 0);

  // Defaults follow what the rest of the workbench has open.
  watch(
    () => models.list.map((m) => m.modelId).join(','),
    () => {
      if (models.byId(draft.modelId) === undefined) {
        const preferred = models.selected && !isCorrected(models.selected) ? models.selected : undefined;
        draft.modelId =
          (preferred ?? models.list.find((m) => !isCorrected(m)) ?? models.list[0])?.modelId ?? '';
      }
      if (draft.correctedId !== '' && models.byId(draft.correctedId) === undefined) draft.correctedId = '';
      if (draft.correctedId === '') draft.correctedId = models.list.filter(isCorrected).at(-1)?.modelId ?? '';
    },
    { immediate: true },
  );
  watch(
    layers,
    (list) => {
      if (!list.some((l) => l.name === draft.layer)) draft.layer = list[0]?.name ?? '';
    },
    { immediate: true },
  );
  watch(
    () => datasets.datasetId,
    () => {
      const names = splits.value.map((s) => s.name);
      if (!names.includes(draft.split)) draft.split = names.includes('test') ? 'test' : (names[0] ?? 'train');
      takeSelectedImage(draft);
    },
    { immediate: true },
  );
  // The first view's preset (a finished study's models, distortion, level and layer), applied once when its
  // models are open; the filter to select is handed to the view (presetFilter).
  const presetFilter = ref<{ layer: string; filter: number } | null>(null);
  let applied: InspectorPreset | null = null;
  let presetLevel: number | undefined;
  watch(
    [() => preset?.value ?? null, () => models.list.length],
    ([wanted]) => {
      if (wanted === null || wanted === applied || models.byId(wanted.modelId) === undefined) return;
      applied = wanted;
      draft.modelId = wanted.modelId;
      if (models.byId(wanted.correctedId) !== undefined) draft.correctedId = wanted.correctedId;
      draft.split = splits.value.some((s) => s.name === 'test') ? 'test' : draft.split;
      draft.layer = wanted.layer;
      if (draft.kind === wanted.kind) draft.level = wanted.level;
      else {
        presetLevel = wanted.level;
        draft.kind = wanted.kind;
      }
      presetFilter.value = { layer: wanted.layer, filter: wanted.filter };
    },
    { immediate: true },
  );
  watch(
    () => draft.kind,
    (k) => {
      draft.level = presetLevel ?? DISTORTIONS[k].severity[2];
      presetLevel = undefined;
    },
  );

  const checked = computed(() => inspectRequest(draft, datasets.datasetId ?? '', imageCount.value));
  const problem = computed(() => (typeof checked.value === 'string' ? checked.value : null));
  const request = computed(() => (typeof checked.value === 'string' ? null : checked.value));

  return { draft, model, layers, splits, imageCount, problem, request, presetFilter };
}
