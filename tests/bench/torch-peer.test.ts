import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { parseTorchPeerOutput, runTorchPeer } from '../../bench/torch-peer.ts';

/** Same interpreter candidates as bench/torch-peer.ts. */
function torchImportable(): boolean {
  const override = process.env['TORCH_PEER_PYTHON'];
  const candidates =
    override !== undefined && override.trim().length > 0
      ? [override.trim()]
      : ['python3', '/usr/bin/python3'];
  return candidates.some(
    (python) =>
      spawnSync(python, ['-c', 'import torch'], {
        stdio: 'ignore',
        timeout: 60_000,
      }).status === 0,
  );
}

const HAS_TORCH = torchImportable();

const GOOD_LINE =
  '{"backend":"pytorch-cpu","model":"cnn4","shape":"28x28x1","threads":2,"torch":"1.13.1","device":"AMD EPYC","train_img_s":812.5,"infer_img_s":2400.25}';

describe('parseTorchPeerOutput', () => {
  it('parses a good line (taking the last non-empty line)', () => {
    const r = parseTorchPeerOutput(`some warning\n${GOOD_LINE}\n\n`);
    expect(r).toEqual({
      backend: 'pytorch-cpu',
      model: 'cnn4',
      shape: '28x28x1',
      threads: 2,
      torch: '1.13.1',
      device: 'AMD EPYC',
      train_img_s: 812.5,
      infer_img_s: 2400.25,
    });
  });

  it('rejects a NaN throughput (Python json.dumps writes a bare NaN)', () => {
    const line = GOOD_LINE.replace('"train_img_s":812.5', '"train_img_s":NaN');
    expect(() => parseTorchPeerOutput(line)).toThrowError(/not valid JSON/);
  });

  it('rejects a negative throughput', () => {
    const line = GOOD_LINE.replace('"infer_img_s":2400.25', '"infer_img_s":-3');
    expect(() => parseTorchPeerOutput(line)).toThrowError(/"infer_img_s" must be a finite positive number/);
  });

  it('rejects a zero or missing throughput', () => {
    expect(() => parseTorchPeerOutput(GOOD_LINE.replace('812.5', '0'))).toThrowError(/"train_img_s"/);
    expect(() => parseTorchPeerOutput(GOOD_LINE.replace(',"infer_img_s":2400.25', ''))).toThrowError(
      /"infer_img_s" must be a finite positive number, got undefined/,
    );
  });

  it('rejects garbage and empty output', () => {
    expect(() => parseTorchPeerOutput('Traceback (most recent call last):\n  oops')).toThrowError(
      /torch peer output: last line is not valid JSON/,
    );
    expect(() => parseTorchPeerOutput('[1,2,3]')).toThrowError(/expected a JSON object/);
    expect(() => parseTorchPeerOutput('  \n\n')).toThrowError(/stdout is empty/);
  });

  it('rejects wrong backend or model', () => {
    expect(() => parseTorchPeerOutput(GOOD_LINE.replace('pytorch-cpu', 'tfjs-node'))).toThrowError(
      /unexpected backend/,
    );
    expect(() => parseTorchPeerOutput(GOOD_LINE.replace('"cnn4"', '"mlp"'))).toThrowError(/unexpected model/);
  });
});

describe('runTorchPeer', () => {
  it.skipIf(!HAS_TORCH)(
    `runs cnn4 on 28x28x1 with PyTorch CPU${HAS_TORCH ? '' : ' (skipped: no python3 that can import torch)'}`,
    async () => {
      const r = await runTorchPeer({
        shape: [28, 28, 1],
        images: 256,
        batch: 128,
        threads: 1,
      });
      if ('unavailable' in r) throw new Error(`unexpectedly unavailable: ${r.unavailable}`);
      expect(r.backend).toBe('pytorch-cpu');
      expect(r.model).toBe('cnn4');
      expect(r.shape).toBe('28x28x1');
      expect(r.threads).toBe(1);
      expect(r.torch).toMatch(/^\d+\.\d+/);
      expect(r.device.length).toBeGreaterThan(0);
      for (const v of [r.train_img_s, r.infer_img_s]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
    },
    120_000,
  );

  it.skipIf(HAS_TORCH)(
    `reports unavailable instead of throwing${HAS_TORCH ? ' (skipped: torch is installed)' : ''}`,
    async () => {
      const r = await runTorchPeer({
        shape: [28, 28, 1],
        images: 128,
        batch: 128,
        threads: 1,
      });
      expect(r).toHaveProperty('unavailable');
    },
  );

  it('rejects invalid options before spawning', async () => {
    await expect(
      runTorchPeer({ shape: [28, 28, 1], images: 0, batch: 128, threads: 1 }),
    ).rejects.toThrowError(/images must be a positive integer/);
  });
});
