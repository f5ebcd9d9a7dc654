import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { readCheckpoint } from '../../electron/engine/train/checkpoint.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';

interface Running {
  /** Resolves once stdout matches. */
  waitFor: (pattern: RegExp) => Promise<void>;
  signal: (name: NodeJS.Signals) => void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Running {
  const child = spawn('node', ['bin/deepcorrect.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of waiters.filter((w) => w.pattern.test(stdout))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then((r) =>
          reject(new Error(`exited (${r.code ?? r.signal}) before ${pattern}:\n${r.stdout}\n${r.stderr}`)),
        );
      }),
    signal: (name) => child.kill(name),
    done,
  };
}

const cli = (args: string[]) => start(args).done;

async function weights(dir: string): Promise<Float32Array[]> {
  const { model } = await loadModel(dir);
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

describe('deepcorrect train', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-train-cli-'));
    await selectBackend({ forced: 'cpu' });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // 200 training and 50 validation images, 4 batches an epoch, 2 replicas whatever the machine.
  const tiny = (out: string) => [
    'train',
    '--dataset',
    DEMO,
    '--arch',
    'cnn4',
    '--epochs',
    '3',
    '--out',
    out,
    '--train-per-class',
    '20',
    '--val',
    '0.2',
    '--batch',
    '50',
    '--optimizer',
    'sgd',
    '--lr',
    '0.05',
    '--schedule',
    'step:2:0.5',
    '--seed',
    '4',
    '--replicas',
    '2',
  ];

  it('rejects bad options with a clear message', async () => {
    const out = path.join(dir, 'never');
    const schedule = await cli([...tiny(out), '--schedule', 'step:x']);
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toContain('"step:x" is not a schedule');
    const arch = await cli([...tiny(out), '--arch', 'vgg16']);
    expect(arch.code).toBe(1);
    expect(arch.stderr).toContain('unknown architecture "vgg16"');
    const val = await cli([...tiny(out), '--val', '0.7']);
    expect(val.code).toBe(1);
    expect(val.stderr).toContain('"0.7" is not a fraction within 0..0.5');
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('trains end to end; a run cancelled by Ctrl-C, then killed, resumes to the same model', async () => {
    const straightDir = path.join(dir, 'straight');
    const straight = await cli(tiny(straightDir));
    expect(straight.code).toBe(0);
    expect(straight.stdout).toMatch(/^backend: wasm/m);
    expect(straight.stdout).toContain(
      'training cnn4 (467,818 parameters) on 200 images of fashion-mnist-demo (10 classes), validating on 50',
    );
    expect(straight.stdout).toContain(
      'sgd, lr 0.05, momentum 0.9 (Nesterov); schedule step:2:0.5; augment flip,shift:2',
    );
    const epochLines = [
      ...straight.stdout.matchAll(
        /^epoch (\d)\/3: loss [\d.]+, acc [\d.]+%, val loss [\d.]+, val acc ([\d.]+)%, lr ([\d.]+), \d+ images\/s/gm,
      ),
    ];
    expect(epochLines.map((m) => [m[1], m[3]])).toEqual([
      ['1', '0.0500'],
      ['2', '0.0500'],
      ['3', '0.0250'],
    ]);
    expect(straight.stdout).toMatch(
      new RegExp(
        `^model: ${straightDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(cnn4, 467,818 parameters\\), best val accuracy [\\d.]+% at epoch \\d$`,
        'm',
      ),
    );
    const saved = await loadModel(straightDir, { expectInput: [28, 28, 1], expectClasses: 10 });
    expect(saved.metadata.provenance?.command).toMatch(/^deepcorrect train --dataset .* --replicas 2$/);
    saved.model.dispose();

    // Ctrl-C after the first epoch: exit code 130, the checkpoint kept, and the way to resume printed.
    const resumedDir = path.join(dir, 'resumed');
    const first = start(tiny(resumedDir));
    await first.waitFor(/^epoch 1\/3:/m);
    first.signal('SIGINT');
    const cancelled = await first.done;
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toMatch(
      /cancelled: the checkpoint after epoch [12] is in .*checkpoint; run the same command with --resume/,
    );
    const afterCancel = await readCheckpoint(resumedDir);
    expect([1, 2]).toContain(afterCancel?.epoch);

    // Resume, then SIGKILL as soon as another epoch is checkpointed: mid-epoch, nothing gets to clean up.
    const second = start([...tiny(resumedDir), '--resume']);
    await second.waitFor(new RegExp(`^resuming .* after epoch ${afterCancel?.epoch}$`, 'm'));
    await second.waitFor(new RegExp(`^epoch ${(afterCancel?.epoch ?? 0) + 1}/3:`, 'm'));
    second.signal('SIGKILL');
    expect((await second.done).signal).toBe('SIGKILL');
    const afterKill = await readCheckpoint(resumedDir);
    expect(afterKill?.epoch).toBeGreaterThan(afterCancel?.epoch ?? 0);

    if ((afterKill?.epoch ?? 0) < 3) {
      const third = await cli([...tiny(resumedDir), '--resume']);
      expect(third.code).toBe(0);
      expect(third.stdout).toContain(`after epoch ${afterKill?.epoch}`);
    } else {
      // The kill came after the last checkpoint: resuming only writes the final model.
      expect((await cli([...tiny(resumedDir), '--resume'])).code).toBe(0);
    }
    const a = await weights(straightDir);
    const b = await weights(resumedDir);
    let max = 0;
    a.forEach((w, i) =>
      w.forEach((v, j) => (max = Math.max(max, Math.abs(v - ((b[i] as Float32Array)[j] as number))))),
    );
    expect(max).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(0);
  });
});
