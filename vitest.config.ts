import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // The engine tests train small networks on the tfjs CPU/WASM backends: slow, CPU-bound work.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Child processes rather than worker threads: the WASM backend and native addons are safer that way.
    pool: 'forks',
    // CI has 2 cores and each test file is CPU-heavy; run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
