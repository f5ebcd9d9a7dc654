/**
 * How a corrected model is told apart from its base: its arch is the base's arch plus a suffix
 * (`cnn4+deepcorrect`). The engine writes it into the corrected model's metadata; the UI reads it to list
 * corrected models apart from base models.
 */

export const CORRECTED_ARCH_SUFFIX = '+deepcorrect';

/** The arch of a model corrected from a base of arch `baseArch`. */
export function correctedArch(baseArch: string): string {
  return `${baseArch}${CORRECTED_ARCH_SUFFIX}`;
}

/** Whether an arch is a corrected model's (it carries correction units). */
export function isCorrectedArch(arch: string): boolean {
  return arch.endsWith(CORRECTED_ARCH_SUFFIX);
}
