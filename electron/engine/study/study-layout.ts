/**
 * Where a study's files go. A one-seed study keeps the layout studies had before seeds existed (stages,
 * ranking.json and the two model folders at the top, so older folders resume and open as they were); with
 * several seeds each seed's ranking and models live in seed-<s>/ and its stage records carry the seed.
 */
import { studySeeds, type StudyConfig } from '../../../shared/study.ts';
import type { StudyVariant } from '../../../shared/study-variants.ts';

/** Folders of the two trained models inside a seed's folder. */
export const CORRECTED_DIR = 'deepcorrect';
export const FINE_TUNED_DIR = 'fine-tuned';
/** A variant's units, inside the seed's folder. */
export const variantDir = (v: StudyVariant): string => `variants/${v.name}`;

export interface SeedLayout {
  seed: number;
  /** The seed's folder relative to the study folder ('' for a one-seed study). */
  dir: string;
  /** The stage record's name for one of the seed's stages. */
  stage: (name: string) => string;
  /** A file or folder of the seed, relative to the study folder. */
  file: (name: string) => string;
}

export function severalSeeds(config: StudyConfig): boolean {
  return studySeeds(config).length > 1;
}

export function seedLayout(config: StudyConfig, seed: number): SeedLayout {
  if (!severalSeeds(config)) return { seed, dir: '', stage: (n) => n, file: (n) => n };
  const dir = `seed-${seed}`;
  return { seed, dir, stage: (n) => `${dir}-${n}`, file: (n) => `${dir}/${n}` };
}

/** Every trained model folder of the study, relative to the study folder. */
export function studyModelDirs(config: StudyConfig): string[] {
  return studySeeds(config).flatMap((s) => {
    const layout = seedLayout(config, s);
    return [
      layout.file(CORRECTED_DIR),
      layout.file(FINE_TUNED_DIR),
      ...(config.variants ?? []).map((v) => layout.file(variantDir(v))),
    ];
  });
}
