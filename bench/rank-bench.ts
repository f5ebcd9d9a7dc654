import type { BackendName } from '../shared/backends.ts';
import { PAPER_PRESETS } from '../shared/distortions.ts';
import { openDataset } from '../electron/engine/data/open-dataset.ts';
import { loadModel } from '../electron/engine/models/model-io.ts';
import { rankFilters } from '../electron/engine/rank/rank-filters.ts';
import type { RankMethod } from '../electron/engine/rank/types.ts';
import { demoDatasetDir, demoModelDir } from '../electron/engine/resources.ts';
import { round } from './train-bench.ts';

export interface RankBenchResult {
  bench: 'rank';
  backend: BackendName;
  method: RankMethod;
  model: string;
  layers: number;
  filters: number;
  ranking_images: number;
  levels: number;
  seconds: number;
}

/**
 * The ranking targets on the demo model: every conv layer, the six paper-cifar blur levels, 100 ranking
 * images (oracle: under 3 minutes; proxy: under 5 s).
 */
export async function benchRank(backend: BackendName, method: RankMethod): Promise<RankBenchResult> {
  const dataset = await openDataset(demoDatasetDir());
  const { model, metadata } = await loadModel(demoModelDir());
  try {
    const levels = [...PAPER_PRESETS['paper-cifar'].blur];
    const r = await rankFilters({
      model,
      dataset,
      spec: { kind: 'blur' },
      levels,
      seed: 0,
      perClass: 10,
      method,
    });
    return {
      bench: 'rank',
      backend,
      method,
      model: metadata.arch,
      layers: r.layers.length,
      filters: r.layers.reduce((sum, l) => sum + l.filters, 0),
      ranking_images: r.rankingImages,
      levels: levels.length,
      seconds: round(r.seconds, 2),
    };
  } finally {
    model.dispose();
    await dataset.close();
  }
}
