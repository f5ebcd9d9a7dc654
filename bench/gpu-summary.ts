/**
 * The short Markdown table at the end of a GPU run (scripts/gpu/run.sh): training images/s and kernel
 * TFLOP/s side by side with PyTorch, the study's wall time, each step's outcome and what was skipped.
 * Built only from the run's JSON lines; a side that did not run shows "-" instead of a number.
 */
import { gpuRatios, kernelValues, trainCaseKey, type BenchRecord } from './gpu-ratio.ts';

const str = (r: BenchRecord, key: string): string => (typeof r[key] === 'string' ? r[key] : '');
const num = (r: BenchRecord, key: string): number | undefined => {
  const v = r[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

const DASH = '-';
/** Three significant digits: the figures span 1 image/s on SwiftShader to 10^5 on an H200. */
const significant = (v: number): string =>
  Number(v.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 12 });
const imagesPerSecond = (v: number | undefined): string =>
  v === undefined ? DASH : v >= 100 ? Math.round(v).toLocaleString('en-US') : significant(v);
const tflops = (gflops: number | undefined): string =>
  gflops === undefined ? DASH : significant(gflops / 1000);
const ratio = (v: number | undefined): string => (v === undefined ? DASH : significant(v));

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Distinct values in first-seen order. */
function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** Who ran on what. Each step that initialises the backend reports it: one line per distinct environment. */
function environment(records: BenchRecord[]): string[] {
  const lines: string[] = [];
  for (const r of records.filter((x) => x['bench'] === 'gpu-env'))
    lines.push(
      `- ours: ${str(r, 'backend')} on ${str(r, 'device') || 'unknown device'} (Node ${str(r, 'node')})`,
    );
  for (const r of records.filter((x) => x['bench'] === 'torch-env')) {
    const cuda = str(r, 'cuda') ? `, CUDA ${str(r, 'cuda')}, cuDNN ${num(r, 'cudnn') ?? '?'}` : '';
    lines.push(
      `- peer: PyTorch ${str(r, 'torch')}${cuda} on ${str(r, 'device')}, float32, TF32 ${r['tf32'] === false ? 'off' : 'on'}`,
    );
  }
  return distinct(lines);
}

function trainingTable(records: BenchRecord[]): string[] {
  const ours = records.filter((r) => r['bench'] === 'gpu-train');
  const peers = records.filter((r) => r['bench'] === 'torch-train');
  if (ours.length + peers.length === 0) return [];
  const keyOf = (r: BenchRecord): string =>
    trainCaseKey(str(r, 'model'), str(r, 'shape'), num(r, 'batch') ?? 0);
  const ourName = distinct(ours.map((r) => str(r, 'backend')))[0] ?? 'webgpu';
  const peerName = distinct(peers.map((r) => str(r, 'backend')))[0] ?? 'PyTorch';
  const ratios = gpuRatios(records).filter((r) => r.kind === 'train');
  const rows = distinct([...ours, ...peers].map(keyOf)).map((key) => {
    const o = ours.find((r) => keyOf(r) === key);
    const p = peers.find((r) => keyOf(r) === key);
    const any = (o ?? p) as BenchRecord;
    return [
      str(any, 'model'),
      str(any, 'shape'),
      String(num(any, 'batch') ?? DASH),
      imagesPerSecond(o && num(o, 'train_img_s')),
      imagesPerSecond(p && num(p, 'train_img_s')),
      ratio(ratios.find((r) => r.case === key)?.ratio),
    ];
  });
  return [
    '## Training, images/s (Adam, float32, warm-up excluded)',
    '',
    ...table(['model', 'shape', 'batch', ourName, peerName, `${ourName} / ${peerName}`], rows),
  ];
}

/** A step's dispatches and the CPU's time to queue them. */
function stepCost(r: BenchRecord): string {
  return `${num(r, 'dispatches_per_step') ?? DASH}, ${num(r, 'enqueue_ms_per_step') ?? DASH} ms`;
}

/** Our step with and without the fused kernels (train/fused-layers.ts), where a case timed both. */
function fusionTable(records: BenchRecord[]): string[] {
  const keyOf = (r: BenchRecord): string =>
    trainCaseKey(str(r, 'model'), str(r, 'shape'), num(r, 'batch') ?? 0);
  const fused = records.filter((r) => r['bench'] === 'gpu-train');
  const rows = records
    .filter((r) => r['bench'] === 'gpu-train-unfused')
    .map((u) => {
      const f = fused.find((r) => keyOf(r) === keyOf(u));
      const before = num(u, 'train_img_s');
      const after = f && num(f, 'train_img_s');
      return [
        str(u, 'model'),
        str(u, 'shape'),
        String(num(u, 'batch') ?? DASH),
        `${imagesPerSecond(before)} (${stepCost(u)})`,
        `${imagesPerSecond(after)} (${f === undefined ? DASH : stepCost(f)})`,
        ratio(before !== undefined && after !== undefined ? after / before : undefined),
      ];
    });
  if (rows.length === 0) return [];
  return [
    '## Fused training step, images/s (dispatches and CPU time to queue one step)',
    '',
    ...table(['model', 'shape', 'batch', 'unfused', 'fused', 'fused / unfused'], rows),
  ];
}

/**
 * Where a fused step's GPU time goes (train-bench's `profile`): each profiled case's programs and the fused
 * Adam's pass, largest first, beside the step's time when it trains unprofiled (batch over images/s), which
 * they share with the gaps between them.
 */
function profileLines(records: BenchRecord[]): string[] {
  const cases = records.filter(
    (r) => r['bench'] === 'gpu-train' && typeof r['profile'] === 'object' && r['profile'] !== null,
  );
  if (cases.length === 0) return [];
  const lines = ['## Where one fused step’s GPU time goes (timestamp queries, by program)', ''];
  for (const r of cases) {
    const profile = r['profile'] as { timed_ms?: unknown; programs?: unknown };
    const programs = Array.isArray(profile.programs) ? (profile.programs as BenchRecord[]) : [];
    const imgs = num(r, 'train_img_s');
    const batch = num(r, 'batch');
    const stepMs = imgs !== undefined && batch !== undefined && imgs > 0 ? (batch / imgs) * 1000 : undefined;
    const timed = typeof profile.timed_ms === 'number' ? profile.timed_ms : undefined;
    lines.push(
      `- ${str(r, 'model')} ${str(r, 'shape')} batch ${batch ?? DASH}: programs ${timed ?? DASH} ms on the GPU; ` +
        `a step trains in ${stepMs === undefined ? DASH : stepMs.toPrecision(3)} ms unprofiled`,
      ...programs.map(
        (p) => `  - ${str(p, 'name')}: ${num(p, 'ms') ?? DASH} ms (${num(p, 'count') ?? DASH}x)`,
      ),
    );
  }
  return lines;
}

function kernelTable(records: BenchRecord[]): string[] {
  const ratios = gpuRatios(records).filter((r) => r.kind === 'kernel');
  const ours = kernelValues(records, false);
  const peers = kernelValues(records, true);
  if (ours.length + peers.length === 0) return [];
  const columns = distinct(ours.map((m) => m.who));
  const peerName = distinct(peers.map((m) => m.who))[0] ?? 'PyTorch';
  const rows = distinct([...ours, ...peers].map((m) => m.key)).map((key) => {
    const best = Math.max(...ratios.filter((r) => r.case === key).map((r) => r.ratio));
    const [kernel = key, shape = ''] = key.split(/ (.*)/s);
    return [
      kernel,
      shape,
      ...columns.map((c) => tflops(ours.find((m) => m.key === key && m.who === c)?.value)),
      tflops(peers.find((m) => m.key === key)?.value),
      ratio(Number.isFinite(best) ? best : undefined),
    ];
  });
  return [
    '## Convolution 3x3 kernels, TFLOP/s',
    '',
    ...table(['kernel', 'shape', ...columns, peerName, `best ours / ${peerName}`], rows),
  ];
}

function studyLines(records: BenchRecord[]): string[] {
  const studies = records.filter((r) => r['bench'] === 'gpu-study');
  if (studies.length === 0) return [];
  return [
    '## Study',
    '',
    ...studies.map((r) => {
      const wall = num(r, 'wall_s');
      const outcome =
        r['timed_out'] === true
          ? `did not finish within its ${wall ?? '?'} s budget`
          : num(r, 'rc') === 0
            ? `${wall ?? '?'} s`
            : `failed (exit ${String(r['rc'])}) after ${wall ?? '?'} s`;
      const stages = str(r, 'stages');
      return `- \`${str(r, 'command')}\`: ${outcome}${stages ? ` (${stages})` : ''}`;
    }),
  ];
}

function stepTable(records: BenchRecord[]): string[] {
  const steps = records.filter((r) => r['bench'] === 'gpu-step');
  if (steps.length === 0) return [];
  const rows = steps.map((r) => [
    str(r, 'step'),
    r['skipped'] === true
      ? 'skipped'
      : r['timed_out'] === true
        ? 'timed out'
        : num(r, 'rc') === 0
          ? 'ok'
          : `exit ${String(r['rc'])}`,
    String(num(r, 'wall_s') ?? DASH),
    String(num(r, 'budget_s') ?? DASH),
  ]);
  return ['## Steps', '', ...table(['step', 'outcome', 'seconds', 'budget s'], rows)];
}

function problems(records: BenchRecord[]): string[] {
  const lines = records
    .filter((r) => r['bench'] === 'skip' || r['bench'] === 'error')
    .map((r) => {
      const what = [str(r, 'backend'), str(r, 'group'), str(r, 'step'), str(r, 'model'), str(r, 'shape')]
        .filter((s) => s !== '')
        .join(' ');
      return `- ${str(r, 'bench')}: ${what || 'run'}: ${str(r, 'reason')}`;
    });
  return lines.length === 0 ? [] : ['## Skipped or failed', '', ...lines];
}

/** The run's Markdown summary; `title` names the machine and date. */
export function gpuSummaryMarkdown(records: BenchRecord[], title: string): string {
  const sections = [
    [`# ${title}`, '', ...environment(records)],
    trainingTable(records),
    fusionTable(records),
    profileLines(records),
    kernelTable(records),
    studyLines(records),
    stepTable(records),
    problems(records),
  ].filter((s) => s.length > 0);
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
