/** The groups `npm run bench -- --only` takes, apart from the benches so the command line can list them cheaply. */
export const BENCH_GROUPS = [
  'serve',
  'read',
  'distort',
  'eval',
  'rank',
  'shards',
  'kernels',
  'train',
  'units',
  'archs',
  'ui',
  'workspace',
  'cli',
  'gpu',
] as const;
export type BenchGroup = (typeof BENCH_GROUPS)[number];
