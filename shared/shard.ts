/**
 * One slice of a job split N ways: `index` counts from 0, as Slurm's SLURM_ARRAY_TASK_ID and Kubernetes'
 * JOB_COMPLETION_INDEX do, so a job script passes either straight through ("--shard $SLURM_ARRAY_TASK_ID/4").
 */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards a job may be split into: beyond this a slice would be smaller than its set-up. */
export const MAX_SHARDS = 10_000;

/** "I/N" with 0 <= I < N; anything else is refused with the reason, before any work. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null)
    throw new RangeError(
      `"${text}" is not a shard: write I/N, the slice I of N counted from 0 (e.g. 0/4 ... 3/4)`,
    );
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new RangeError(`"${text}": a job splits into at least 1 shard, not ${count}`);
  if (count > MAX_SHARDS) throw new RangeError(`"${text}": at most ${MAX_SHARDS} shards, not ${count}`);
  if (index >= count)
    throw new RangeError(
      `"${text}": shard indices run from 0 to ${count - 1} (counted from 0, as Slurm's array task ids), so ${index} is out of range`,
    );
  return { index, count };
}

export const shardText = (shard: Shard): string => `${shard.index}/${shard.count}`;

/**
 * What a set of parts lacks to be a whole: every index 0..count-1 exactly once. Undefined when complete;
 * otherwise the sentence names the missing and duplicated indices.
 */
export function coverageProblem(indices: readonly number[], count: number): string | undefined {
  const seen = new Map<number, number>();
  for (const i of indices) seen.set(i, (seen.get(i) ?? 0) + 1);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  const duplicated = [...seen.entries()].filter(([, n]) => n > 1).map(([i]) => i);
  const outside = [...seen.keys()].filter((i) => i < 0 || i >= count);
  const problems = [
    missing.length > 0 ? `missing shard${missing.length > 1 ? 's' : ''} ${listIndices(missing)}` : '',
    duplicated.length > 0
      ? `shard${duplicated.length > 1 ? 's' : ''} ${duplicated.sort((a, b) => a - b).join(', ')} given more than once`
      : '',
    outside.length > 0 ? `shard indices ${outside.join(', ')} outside 0..${count - 1}` : '',
  ].filter((p) => p !== '');
  return problems.length === 0 ? undefined : `${problems.join('; ')} (of ${count})`;
}

function listIndices(indices: readonly number[]): string {
  const shown = indices.slice(0, 20).map(String);
  return indices.length > 20 ? `${shown.join(', ')} and ${indices.length - 20} more` : shown.join(', ');
}

/**
 * The first place two settings objects differ, as a dotted path with both values, or undefined when equal.
 * Arrays compare element by element; key order does not matter.
 */
export function firstDifference(
  a: unknown,
  b: unknown,
  at = '',
): { path: string; a: unknown; b: unknown } | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { path: at, a, b };
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const d = firstDifference(a[key], b[key], at === '' ? key : `${at}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return { path: at, a, b };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Splits items with costs into `count` contiguous runs of near-equal cost (the greedy cut at each run's share
 * of what is left), so a shard touches few neighbouring items. Returns, per shard, [from, to) into the items;
 * a shard may be empty when there are fewer items than shards.
 */
export function contiguousSplit(costs: readonly number[], count: number): [number, number][] {
  const runs: [number, number][] = [];
  let from = 0;
  let left = costs.reduce((s, c) => s + c, 0);
  for (let k = 0; k < count; k++) {
    const shardsLeft = count - k;
    if (shardsLeft === 1) {
      runs.push([from, costs.length]);
      break;
    }
    const target = left / shardsLeft;
    let to = from;
    let sum = 0;
    // Take items while the run is nearer its target with the next one than without it.
    while (to < costs.length) {
      const next = costs[to] as number;
      if (sum > 0 && Math.abs(sum + next - target) > Math.abs(sum - target)) break;
      sum += next;
      to++;
      if (costs.length - to <= shardsLeft - 1) break;
    }
    runs.push([from, to]);
    left -= sum;
    from = to;
  }
  return runs;
}
