/**
 * The words of a job's title that tell two jobs of the same model apart (the job panel lists every finished job):
 * which model folder, the distortion with its levels (and their preset's name), which images. The engine's use
 * cases build their `title` from these; the Evaluation view names a set of levels with `levelsPreset`.
 */
import { DISTORTIONS, LEVEL_PRESETS, resolveLevels, type DistortionKind } from './distortions.ts';

const byValue = (a: number, b: number): number => a - b;

/** The preset a set of levels is (paper-cifar, paper-imagenet, severity), in any order; undefined for a list. */
export function levelsPreset(kind: DistortionKind, levels: readonly number[]): string | undefined {
  const key = [...levels].sort(byValue).join(',');
  return LEVEL_PRESETS.find((p) => {
    try {
      return resolveLevels(kind, p).sort(byValue).join(',') === key;
    } catch {
      // A paper preset defines blur and noise only.
      return false;
    }
  });
}

/** "blur 0.5, 1, 1.5, 2, 2.5, 3 (paper-cifar)": the distortion, its levels as asked, their preset if any. */
export function levelsPhrase(kind: DistortionKind, levels: readonly number[]): string {
  const preset = levelsPreset(kind, levels);
  const name = DISTORTIONS[kind].label.toLowerCase();
  return `${name} ${levels.join(', ')}${preset === undefined ? '' : ` (${preset})`}`;
}

/** A model as the panel names it: its folder's name, with the architecture when the name does not say it. */
export function modelPhrase(arch: string, folder: string): string {
  const name =
    folder
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .at(-1) ?? '';
  if (name === '') return arch;
  return name.toLowerCase().includes(arch.toLowerCase()) ? name : `${name} (${arch})`;
}

/** Which images of a split: "test, 20 per class" or "test, every image". */
export function imagesPhrase(split: string, perClass?: number, images?: number): string {
  if (perClass !== undefined) return `${split}, ${perClass} per class`;
  if (images !== undefined) return `${split}, ${images} images`;
  return `${split}, every image`;
}
