/**
 * The guided start's words that depend on data (renderer/src/lib/guided-start.ts), on a real three-seed report
 * (docs/studies/demo-blur-3-seeds: wasm on "AMD EPYC, 2 threads", 5,394 s, about 90 min).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import {
  rerunCommand,
  rerunTime,
  roughDuration,
  sameMachineKind,
  studyGist,
} from '../../renderer/src/lib/guided-start.ts';

const report = JSON.parse(
  readFileSync(new URL('../../docs/studies/demo-blur-3-seeds/report.json', import.meta.url), 'utf8'),
) as StudyReport;

describe('guided start', () => {
  it('rounds a study’s time to what a total can say', () => {
    expect(roughDuration(12.4)).toBe('12 s');
    expect(roughDuration(0.2)).toBe('1 s');
    expect(roughDuration(50)).toBe('1 min');
    expect(roughDuration(41 * 60 + 20)).toBe('41 min');
    expect(roughDuration(report.totalSeconds)).toBe('90 min');
    expect(roughDuration(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(roughDuration(Number.NaN)).toBe('an unknown time');
  });

  it('says the recorded time and whether this engine matches the backend and device it was made on', () => {
    const same = { name: 'wasm', device: 'AMD EPYC', threads: 2 };
    expect(sameMachineKind(report, same)).toBe(true);
    expect(rerunTime(report, same)).toBe(
      'It took 90 min on wasm (AMD EPYC, 2 threads) when it was made; this engine runs the same backend on the same kind of processor, so expect about that here.',
    );
    // More threads or another backend: no estimate, said so.
    expect(sameMachineKind(report, { ...same, threads: 16 })).toBe(false);
    const gpu = { name: 'webgpu', device: 'NVIDIA H100', threads: 1 };
    expect(sameMachineKind(report, gpu)).toBe(false);
    expect(rerunTime(report, gpu)).toMatch(
      /this engine runs webgpu on NVIDIA H100, so the time here will differ/,
    );
    expect(rerunTime(report, null)).toBe('It took 90 min on wasm (AMD EPYC, 2 threads) when it was made.');
    expect(rerunTime({ ...report, totalSeconds: 0 }, null)).toBe(
      'It was made on wasm (AMD EPYC, 2 threads); its report records no running time.',
    );
  });

  it('sums the study up in a few words', () => {
    expect(studyGist(report)).toBe('gaussian blur at 0.5, 1, 1.5, 2, 2.5, 3; 3 seeds; at most 3 epochs');
  });

  it('offers the recorded command to type again: no --resume, a new folder, every setting as run', () => {
    expect(
      rerunCommand(
        'deepcorrect study --distortion blur --seeds 3 --val 0.5 --placement pre --out blur-converged --resume',
      ),
    ).toBe('deepcorrect study --distortion blur --seeds 3 --val 0.5 --placement pre --out my-blur-study');
    expect(rerunCommand('deepcorrect study --out=x --seeds 2', 'y')).toBe(
      'deepcorrect study --seeds 2 --out y',
    );
  });
});
