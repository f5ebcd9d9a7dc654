import { EXPERIMENT_DEFAULTS, RANK_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { BridgeError } from '../../../shared/bridge/protocol.ts';
import { imagesPhrase, levelsPhrase, modelPhrase } from '../../../shared/job-title.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import { oracleExperiment } from '../rank/experiment.ts';
import { openRanking } from '../rank/open-ranking.ts';
import { rankFilters } from '../rank/rank-filters.ts';
import { reporting, type UseCase } from './context.ts';
import { layerOrders } from './layer-orders.ts';
import { modelAndDataset } from './open-pair.ts';
import { saveExperiment, saveRanking } from './save-into-workspace.ts';

/** rank.filters: the filters of an open model's conv layers by correction priority (oracle and/or proxy). */
export const rankFiltersCase: UseCase<'rank.filters'> = {
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    const images = imagesPhrase('train', input.perClass, input.images ?? RANK_DEFAULTS.images);
    const layers = input.layers === undefined ? '' : ` ${input.layers.join(', ')}`;
    return `Rank ${modelPhrase(model.metadata.arch, model.path)}'s filters${layers} by ${input.method === 'both' ? 'oracle and proxy' : input.method}, ${levelsPhrase(input.spec.kind, input.levels)}, on ${session.datasets.get(input.datasetId).summary.name} (${images}, seed ${input.seed})`;
  },
  run: (input, context) => {
    const { session } = context;
    const { base, dataset } = modelAndDataset(session, input.modelId, input.datasetId);
    const { workspace } = input;
    const rank = () =>
      rankFilters({
        model: base.model,
        dataset,
        ...(input.layers ? { layers: input.layers } : {}),
        spec: input.spec,
        levels: input.levels,
        seed: input.seed,
        ...(input.images === undefined ? {} : { images: input.images }),
        ...(input.perClass === undefined ? {} : { perClass: input.perClass }),
        method: input.method,
        tau: input.tau ?? RANK_DEFAULTS.tau,
        stability: input.stability ?? RANK_DEFAULTS.stability,
        stabilityBeta: input.stabilityBeta ?? RANK_DEFAULTS.stabilityBeta,
        modelName: base.metadata.arch,
        ...reporting(context),
      });
    return workspace === undefined
      ? rank()
      : saveRanking({ ...input, workspace }, context, base, dataset, rank);
  },
};

/** rank.experiment: per layer, the top fraction of its ranked filters given clean maps; accuracy per level. */
export const rankExperiment: UseCase<'rank.experiment'> = {
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    return `Oracle experiment on ${Object.keys(input.orders).join(', ')} of ${modelPhrase(model.metadata.arch, model.path)}: ${levelsPhrase(input.spec.kind, input.levels)}`;
  },
  run: async (input, context) => {
    const { session } = context;
    const { base, dataset } = modelAndDataset(session, input.modelId, input.datasetId);
    if (input.weightsSha256 !== undefined) {
      const own = await weightsSha256(base.model);
      if (own !== input.weightsSha256)
        throw new BridgeError(
          'invalid-input',
          `the ranking was made on a model with other weights (${input.weightsSha256.slice(0, 12)}...) than ${base.path} (${own.slice(0, 12)}...): its orders do not describe this model's filters`,
        );
    }
    const resolved = {
      fractions: input.fractions ?? [...EXPERIMENT_DEFAULTS.fractions],
      evalPerClass: input.evalPerClass ?? EXPERIMENT_DEFAULTS.evalPerClass,
      split: input.split ?? EXPERIMENT_DEFAULTS.split,
    };
    const measure = () =>
      oracleExperiment({
        model: base.model,
        dataset,
        ranking: {
          kind: input.spec.kind,
          levels: input.levels,
          layers: layerOrders(base.model, input.orders),
        },
        spec: input.spec,
        ...resolved,
        seed: input.seed,
        ...reporting(context),
      });
    const { workspace } = input;
    return workspace === undefined
      ? measure()
      : saveExperiment({ ...input, workspace }, context, base, dataset, resolved, measure);
  },
};

export const openRankingCase: UseCase<'rank.open'> = { run: (input) => openRanking(input.path) };
