import { describe, expect, it } from 'vitest';
import type { RequestOutput } from '../../shared/bridge/contract.ts';
import { formatEvaluation } from '../../electron/engine/cli/commands/evaluate.ts';

function result(classes: number): RequestOutput<'models.evaluate'> {
  const condition = (level: number | undefined, top1: number) => ({
    ...(level === undefined ? {} : { level }),
    top1,
    top5: 0.99,
    perClass: Array.from({ length: classes }, () => top1),
    confusion: [],
  });
  return {
    kind: 'blur',
    parameter: 'sigma (px)',
    images: 100,
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
    conditions: [condition(undefined, 0.9), condition(1, 0.5)],
    meanWithClean: 0.7,
    meanLevels: 0.5,
    seconds: 1,
  } as unknown as RequestOutput<'models.evaluate'>;
}

describe('the evaluation table', () => {
  it('leaves top-5 out on ten classes, where half the classes are right by chance', () => {
    const text = formatEvaluation(result(10));
    expect(text).not.toContain('top-5');
    expect(text).not.toContain('99.00%');
    expect(text).toContain('  clean         90.00%\n');
  });

  it('shows top-5 above ten classes', () => {
    const text = formatEvaluation(result(100));
    expect(text).toContain('top-1     top-5');
    expect(text).toContain('  clean         90.00%    99.00%\n');
  });
});
