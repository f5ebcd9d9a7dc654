/**
 * The distortion levels a form asks for: a preset (the paper's CIFAR or ImageNet levels, the severities) or a
 * typed list, resolved as the command line resolves them and counted against the contract's limit.
 */
import { CONTRACT } from '../../../shared/bridge/contract.ts';
import { resolveLevels, type DistortionKind } from '../../../shared/distortions.ts';
import { checkDraft } from './schema-issues.ts';

export const LEVEL_CHOICES = [
  { id: 'paper-cifar', label: 'paper, CIFAR levels' },
  { id: 'paper-imagenet', label: 'paper, ImageNet levels' },
  { id: 'severity', label: 'severity 1..5' },
  { id: 'custom', label: 'custom list' },
] as const;
export type LevelChoice = (typeof LEVEL_CHOICES)[number]['id'];

/** The levels of a preset (or of a typed list), with the name a study records, or why they are not valid. */
export function levelsFor(
  kind: DistortionKind,
  choice: LevelChoice,
  custom: string,
): { values: number[]; name: string } | { error: string } {
  const text = choice === 'custom' ? custom.trim() : choice;
  if (text === '') return { error: 'Type the levels as numbers separated by commas (e.g. 1, 2, 3).' };
  try {
    const values = resolveLevels(kind, text);
    const counted = checkDraft(CONTRACT['models.evaluate'].input.shape.levels, values, { '': 'The levels' });
    if (!counted.ok) return { error: counted.first };
    return { values, name: choice === 'custom' ? values.join(',') : choice };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The level presets a distortion offers: the paper's levels exist for blur and noise only. */
export function levelChoicesFor(kind: DistortionKind): (typeof LEVEL_CHOICES)[number][] {
  return LEVEL_CHOICES.filter((c) => !c.id.startsWith('paper-') || kind === 'blur' || kind === 'noise');
}

/** The preset to keep once the distortion is kind: a paper preset it lacks falls back to the severities. */
export function levelChoiceFor(kind: DistortionKind, choice: LevelChoice): LevelChoice {
  return choice.startsWith('paper-') && kind !== 'blur' && kind !== 'noise' ? 'severity' : choice;
}
