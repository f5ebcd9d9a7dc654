import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  parseBackendName,
  probeAll,
  selectBackend,
} from '../../electron/engine/backend/ladder.ts';

describe('backend ladder', () => {
  it('rejects an unknown backend name, listing the valid ones', async () => {
    expect(() => parseBackendName('cuda', '--backend')).toThrow(
      /unknown backend "cuda".*tensorflow, webgpu, wasm, cpu/,
    );
    await expect(selectBackend({ forced: 'metal' })).rejects.toBeInstanceOf(BackendError);
    await expect(selectBackend({ env: { DEEPCORRECT_BACKEND: 'gpu' } })).rejects.toThrow(
      /DEEPCORRECT_BACKEND/,
    );
  });

  it('accepts names case-insensitively and honours DEEPCORRECT_BACKEND', async () => {
    expect(parseBackendName(' WASM ', 'test')).toBe('wasm');
    const choice = await selectBackend({ env: { DEEPCORRECT_BACKEND: 'cpu' } });
    expect(choice).toMatchObject({ name: 'cpu', forced: true, reason: 'forced by DEEPCORRECT_BACKEND' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('--backend wins over the environment', async () => {
    const choice = await selectBackend({ forced: 'wasm', env: { DEEPCORRECT_BACKEND: 'cpu' } });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls down the ladder, logging each backend it skips, and says why it chose', async () => {
    const logged: string[] = [];
    const { probes, choice } = await probeAll({ env: {} });
    const chosen = await selectBackend({ env: {}, log: (l) => logged.push(l) });
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    const firstAvailable = probes.find((p) => p.available);
    expect(chosen.name).toBe(firstAvailable?.name);
    expect(choice.name).toBe(chosen.name);
    const skipped = probes.slice(
      0,
      probes.findIndex((p) => p.available),
    );
    expect(logged).toHaveLength(skipped.length);
    for (const p of skipped) {
      expect(p.detail.length).toBeGreaterThan(10);
      expect(logged.some((l) => l.includes(`backend ${p.name} unavailable`))).toBe(true);
    }
    expect(tf.getBackend()).toBe(chosen.name);
    // wasm and cpu ship inside npm packages and must always be available.
    expect(probes.find((p) => p.name === 'wasm')?.available).toBe(true);
    expect(probes.find((p) => p.name === 'cpu')?.available).toBe(true);
  });

  it('a forced backend that cannot run here fails loudly instead of falling back', async () => {
    const { probes } = await probeAll({ env: {} });
    const missing = probes.find((p) => !p.available);
    if (missing === undefined) return; // every backend runs on this machine: nothing to refuse
    await expect(selectBackend({ forced: missing.name })).rejects.toThrow(
      new RegExp(`backend ${missing.name} \\(forced by --backend\\) cannot run here`),
    );
  });
});
