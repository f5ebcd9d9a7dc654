// Every request that takes distortion levels bounds them in the contract, so the gate refuses a level no
// distortion has before a job is queued (it used to reach the engine and fail after the job's clean pass).
import { describe, expect, it } from 'vitest';
import { CONTRACT, type RequestName } from '../../shared/bridge/contract.ts';

const WITH_LEVELS = (Object.keys(CONTRACT) as RequestName[]).filter((name) => {
  const shape = (CONTRACT[name].input as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && 'levels' in shape;
});

describe('distortion levels in the contract', () => {
  it('are taken by the requests that run distortions at levels', () => {
    expect(WITH_LEVELS).toEqual(
      expect.arrayContaining(['models.evaluate', 'rank.filters', 'correct.train', 'study.run']),
    );
  });

  it.each(WITH_LEVELS)(
    '%s refuses a level past every distortion, naming it, and takes a real one',
    (name) => {
      const schema = CONTRACT[name].input as unknown as {
        shape: {
          levels: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } };
        };
      };
      const bad = schema.shape.levels.safeParse([1, 1e300]);
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0]?.message).toMatch(/level 1e\+300 is outside -255\.\.255/);
      expect(schema.shape.levels.safeParse([0.5, 2, 100]).success).toBe(true);
    },
  );
});
