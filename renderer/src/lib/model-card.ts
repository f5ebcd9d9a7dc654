/**
 * The Models view's model card: what a model folder's deepcorrect.json says about where the model came from
 * (metadata.provenance: the training run, or the correction / fine-tuning that made it), as rows to show.
 * The provenance is free-form JSON from disk, so every field is read defensively.
 */
import { describeStop } from '../../../shared/training.ts';

export interface FactRow {
  label: string;
  value: string;
}

export interface HistoryRow {
  epoch: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Mixed (correction / fine-tune) runs: mean validation accuracy over clean and levels. */
  valMean?: number;
  imagesPerSecond?: number;
  seconds?: number;
}

export interface ProvenanceView {
  facts: FactRow[];
  history: HistoryRow[];
  bestEpoch?: number;
  correction?: FactRow[];
  fineTune?: FactRow[];
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A value of unknown shape, in a line. */
export function describeValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(describeValue).join(', ');
  if (isRecord(v))
    return Object.entries(v)
      .map(([k, x]) => `${k} ${describeValue(x)}`)
      .join(', ');
  return JSON.stringify(v) ?? '';
}

const FACTS: [key: string, label: string, format?: (v: unknown) => string][] = [
  ['command', 'training command'],
  ['dataset', 'dataset'],
  ['trainImages', 'training images', (v) => formatCount(num(v) ?? 0)],
  ['valImages', 'validation images', (v) => formatCount(num(v) ?? 0)],
  ['trainPerClass', 'training images per class'],
  ['epochs', 'epochs'],
  ['batchSize', 'batch size'],
  ['optimizer', 'optimiser'],
  ['schedule', 'learning-rate schedule'],
  ['augment', 'augmentation'],
  ['distortion', 'distortion mix'],
  ['distortedFraction', 'distorted fraction'],
  ['seed', 'seed'],
  ['backend', 'backend'],
  ['bestEpoch', 'best epoch'],
  ['patience', 'patience (epochs without improvement)'],
  ['stop', 'stopped', stopText],
  ['validation', 'validated on'],
  ['validationSplit', 'held-out validation images', heldOutText],
  ['valAccuracy', 'best validation accuracy', (v) => percent(num(v))],
  ['valMeanAccuracy', 'best validation mean accuracy', (v) => percent(num(v))],
  ['testAccuracy', 'test accuracy', (v) => percent(num(v))],
  ['trainedAt', 'trained at'],
];

/** A run's recorded stop (shared/training.ts's TrainingStop), in describeStop's words. */
function stopText(v: unknown): string {
  if (!isRecord(v)) return describeValue(v);
  const [epoch, epochs, patience, bestEpoch] = ['epoch', 'epochs', 'patience', 'bestEpoch'].map((k) =>
    num(v[k]),
  );
  if (epoch === undefined || epochs === undefined || patience === undefined || bestEpoch === undefined)
    return describeValue(v);
  const reason = v['reason'] === 'early stop' ? 'early stop' : 'budget';
  return describeStop({ reason, epoch, epochs, patience, bestEpoch });
}

/** deepcorrect train's record of the images it validated on (models/held-out-record.ts). */
function heldOutText(v: unknown): string {
  if (!isRecord(v)) return describeValue(v);
  if (v['source'] === 'val split') return "the dataset's val split";
  const images = num(v['images']);
  if (images === undefined) return describeValue(v);
  return `${formatCount(images)} of the train split (seed ${describeValue(v['seed'])}, fraction ${describeValue(v['fraction'])})`;
}

function percent(v: number | undefined): string {
  return v === undefined ? '' : `${(v * 100).toFixed(2)}%`;
}

function historyOf(v: unknown): HistoryRow[] {
  if (!Array.isArray(v)) return [];
  const rows: HistoryRow[] = [];
  for (const h of v) {
    if (!isRecord(h)) continue;
    const epoch = num(h['epoch']);
    if (epoch === undefined) continue;
    const row: HistoryRow = { epoch };
    for (const k of ['loss', 'accuracy', 'valLoss', 'imagesPerSecond', 'seconds', 'valMean'] as const) {
      const x = num(h[k]);
      if (x !== undefined) row[k] = x;
    }
    // Baseline runs record valAccuracy as a number; mixed runs as one per condition (their mean is valMean).
    const va = num(h['valAccuracy']);
    if (va !== undefined) row.valAccuracy = va;
    rows.push(row);
  }
  return rows;
}

function correctionOf(v: unknown): FactRow[] | undefined {
  if (!isRecord(v)) return undefined;
  const rows: FactRow[] = [];
  const add = (label: string, x: unknown): void => {
    if (x !== undefined && x !== null) rows.push({ label, value: describeValue(x) });
  };
  add('base model', v['baseModel']);
  add('base architecture', v['baseArch']);
  add('corrected layers', v['layers']);
  add('beta (fraction of filters corrected)', v['beta']);
  add('ranking method', v['rankingMethod']);
  add('placement', v['placement']);
  if (Array.isArray(v['plan']))
    rows.push({
      label: 'plan',
      value: v['plan']
        .map((p) => {
          if (!isRecord(p)) return describeValue(p);
          const f = p['filters'];
          const count = Array.isArray(f) ? `${f.length} filters` : describeValue(f);
          const k = num(p['kernel']);
          return `${describeValue(p['layer'])}: ${count}${k === undefined ? '' : ` (${k}x${k} unit)`}`;
        })
        .join('; '),
    });
  const t = num(v['trainableParameters']);
  if (t !== undefined) rows.push({ label: 'trainable parameters', value: formatCount(t) });
  return rows;
}

function fineTuneOf(v: unknown): FactRow[] | undefined {
  if (!isRecord(v)) return undefined;
  const rows: FactRow[] = [];
  if (v['baseModel'] !== undefined) rows.push({ label: 'base model', value: describeValue(v['baseModel']) });
  if (v['layers'] !== undefined) rows.push({ label: 'trained layers', value: describeValue(v['layers']) });
  const t = num(v['trainableParameters']);
  if (t !== undefined) rows.push({ label: 'trainable parameters', value: formatCount(t) });
  return rows;
}

/** The card's provenance section from metadata.provenance (undefined or anything else: no facts). */
export function provenanceView(provenance: unknown): ProvenanceView {
  if (!isRecord(provenance)) return { facts: [], history: [] };
  const facts: FactRow[] = [];
  for (const [key, label, format] of FACTS) {
    const v = provenance[key];
    if (v === undefined || v === null || v === '') continue;
    const value = format === undefined ? describeValue(v) : format(v);
    if (value !== '') facts.push({ label, value });
  }
  const bestEpoch = num(provenance['bestEpoch']);
  const correction = correctionOf(provenance['correction']);
  const fineTune = fineTuneOf(provenance['fineTune']);
  return {
    facts,
    history: historyOf(provenance['history']),
    ...(bestEpoch === undefined ? {} : { bestEpoch }),
    ...(correction === undefined ? {} : { correction }),
    ...(fineTune === undefined ? {} : { fineTune }),
  };
}
