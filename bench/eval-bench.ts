import type { BackendName } from '../shared/backends.ts';
import { PAPER_PRESETS } from '../shared/distortions.ts';
import { openDataset } from '../electron/engine/data/open-dataset.ts';
import { evaluate } from '../electron/engine/eval/evaluate.ts';
import { cnn4 } from '../electron/engine/models/cnn4.ts';
import { demoDatasetDir } from '../electron/engine/resources.ts';
import { round } from './train-bench.ts';

export interface EvalBenchResult {
  bench: 'eval';
  backend: BackendName;
  model: 'cnn4';
  images: number;
  conditions: number;
  seconds: number;
  img_s: number;
}

/**
 * The evaluation target: the demo model's architecture on the bundled test split (2,000 images), clean
 * plus the six paper-cifar blur levels (distortion included). The weights do not change the time.
 */
export async function benchEvaluate(backend: BackendName): Promise<EvalBenchResult> {
  const dataset = await openDataset(demoDatasetDir());
  const model = cnn4({ inputShape: [28, 28, 1], classes: 10 });
  try {
    const levels = [...PAPER_PRESETS['paper-cifar'].blur];
    const r = await evaluate({ model, dataset, split: 'test', spec: { kind: 'blur' }, levels, seed: 1 });
    const conditions = levels.length + 1;
    return {
      bench: 'eval',
      backend,
      model: 'cnn4',
      images: r.images,
      conditions,
      seconds: round(r.seconds, 2),
      img_s: round((r.images * conditions) / r.seconds, 0),
    };
  } finally {
    model.dispose();
    await dataset.close();
  }
}
