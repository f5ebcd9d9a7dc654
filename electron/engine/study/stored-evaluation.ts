/**
 * An evaluation as a study's stage record keeps it: JSON, with each condition's per-image correctness packed
 * to a bitmap in base64 (2,000 images are 334 characters), so the report's paired tests can be recomputed
 * from the stage records after a resume.
 */
import type { ConditionResult, EvaluationResult } from '../eval/evaluate.ts';

export interface StoredCondition extends Omit<ConditionResult, 'correct'> {
  /** Bit i (of byte i >> 3, least significant first) set where image i was right. */
  correct?: string;
}

export interface StoredEvaluation extends Omit<EvaluationResult, 'conditions' | 'imageIndices'> {
  conditions: StoredCondition[];
  imageIndices?: number[];
}

export function packBits(values: Uint8Array): string {
  const bytes = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== 0) bytes[i >> 3] = (bytes[i >> 3] as number) | (1 << (i & 7));
  });
  return Buffer.from(bytes).toString('base64');
}

export function unpackBits(packed: string, length: number): Uint8Array {
  const bytes = Buffer.from(packed, 'base64');
  if (bytes.length !== Math.ceil(length / 8))
    throw new Error(`a correctness bitmap of ${bytes.length} bytes cannot hold ${length} images`);
  return Uint8Array.from({ length }, (_, i) => ((bytes[i >> 3] as number) >> (i & 7)) & 1);
}

export function storeEvaluation(e: EvaluationResult): StoredEvaluation {
  const { conditions, imageIndices, ...rest } = e;
  return {
    ...rest,
    conditions: conditions.map(({ correct, ...c }) => ({
      ...c,
      ...(correct === undefined ? {} : { correct: packBits(correct) }),
    })),
    ...(imageIndices === undefined ? {} : { imageIndices: Array.from(imageIndices) }),
  };
}

/** Per condition, which images were right; undefined for records made before studies kept them. */
export function correctnessOf(e: StoredEvaluation): Uint8Array[] | undefined {
  if (e.conditions.some((c) => c.correct === undefined)) return undefined;
  return e.conditions.map((c) => unpackBits(c.correct as string, e.images));
}
