import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';

describe('deepcorrect command line', () => {
  it.each(['doctor', 'bench', 'demo'])('%s --help describes the command', async (command) => {
    const { code, stdout } = await cli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: deepcorrect ${command}`);
  });

  it('doctor --json reports every backend and the one chosen', async () => {
    const { code, stdout } = await cli(['doctor', '--json']);
    expect(code).toBe(0);
    const choice = JSON.parse(stdout) as {
      name: string;
      probes: { name: string; available: boolean }[];
      threads: number;
    };
    expect(choice.probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(choice.probes.find((p) => p.name === choice.name)?.available).toBe(true);
    expect(choice.threads).toBeGreaterThanOrEqual(1);
  });

  it('doctor honours --backend and DEEPCORRECT_BACKEND', async () => {
    const viaFlag = await cli(['--backend', 'cpu', 'doctor']);
    expect(viaFlag.stdout).toMatch(/chosen: cpu \(forced by --backend\)/);
    const viaEnv = await cli(['doctor'], { DEEPCORRECT_BACKEND: 'cpu' });
    expect(viaEnv.stdout).toMatch(/chosen: cpu \(forced by DEEPCORRECT_BACKEND\)/);
  });

  it('an unknown backend is a clear error and a failing exit code', async () => {
    const { code, stderr } = await cli(['--backend', 'quantum', 'doctor']);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown backend "quantum"');
  });

  it('rejects a non-numeric option value', async () => {
    const { code, stderr } = await cli(['demo', '--epochs', 'many']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('"many" is not a positive integer');
  });

  it('demo trains on the bundled Fashion-MNIST and reports accuracy clean and at every blur level', async () => {
    const { code, stdout } = await cli([
      'demo',
      '--train-per-class',
      '150',
      '--test-per-class',
      '30',
      '--epochs',
      '2',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/backend: wasm/);
    expect(stdout).toContain('training cnn4 on 1500 Fashion-MNIST images');
    const rows = [...stdout.matchAll(/^ {2}(clean|sigma [\d.]+)\s+(\d+\.\d)%$/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(rows.map((r) => r[0])).toEqual([
      'clean',
      'sigma 0.5',
      'sigma 1',
      'sigma 1.5',
      'sigma 2',
      'sigma 2.5',
      'sigma 3',
    ]);
    const clean = rows[0]?.[1] as number;
    expect(clean).toBeGreaterThan(50);
    // The paper's claim (a), at the smallest scale: the strongest blur costs accuracy.
    expect(rows[6]?.[1] as number).toBeLessThan(clean);
    expect(stdout).toMatch(/mean over clean \+ 6 levels: [\d.]+%; over the 6 levels alone: [\d.]+%/);
  });
});
