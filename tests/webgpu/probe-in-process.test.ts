// Inside Electron the engine host asks Dawn for its adapter in its own process: the packaged app turns the
// RunAsNode fuse off, so the child probe (the app's binary with ELECTRON_RUN_AS_NODE) cannot run there. Both
// ways must describe the same adapter. SwiftShader stands in for the GPU.
import { create } from 'webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adapterFacts,
  probeInChild,
  queryAdapter,
  queryAdapterHere,
} from '../../electron/engine/backend/dawn-probe.ts';
import { SWIFTSHADER_ICD, swiftShaderMissing } from './swiftshader.ts';

const MISSING = swiftShaderMissing();

describe('where the adapter is asked for', () => {
  it('in a child under Node, in the process itself under Electron', () => {
    expect(probeInChild({})).toBe(true);
    expect(probeInChild({ electron: '38.8.6' })).toBe(false);
  });

  it('no adapter is null', () => {
    expect(adapterFacts(null)).toBeNull();
  });

  it('a failure to load Dawn is an outcome, not a throw', async () => {
    const outcome = await queryAdapterHere(() => Promise.reject(new Error('no Dawn here')));
    expect(outcome).toEqual({
      ok: false,
      detail: 'Dawn could not be asked for an adapter: no Dawn here',
      stderr: [],
    });
  });
});

// One Dawn instance for the file's life: dropping one whose adapter was used has aborted test processes.
let gpu: GPU | undefined;

describe.skipIf(MISSING !== undefined)(
  `the in-process query on SwiftShader${MISSING === undefined ? '' : ` (skipped: ${MISSING})`}`,
  () => {
    beforeAll(() => {
      process.env.VK_DRIVER_FILES = SWIFTSHADER_ICD;
    });

    it('finds the same adapter as the child probe', async () => {
      const child = await queryAdapter({ ...process.env, VK_DRIVER_FILES: SWIFTSHADER_ICD }, false);
      expect(child.ok).toBe(true);
      const here = await queryAdapterHere(() => Promise.resolve((gpu ??= create([]))));
      expect(here).toEqual({ ok: true, adapter: child.ok ? child.adapter : 'child failed', stderr: [] });
      expect(here.ok && here.adapter?.description).toMatch(/SwiftShader/);
    });
  },
);
