/**
 * A study's ablation: variants of the correction units that change one or more of the method's open choices
 * (where the units sit, which layers, how many filters, whose ranking) while the rest of the study stays as
 * it is. Each variant trains its own units in every seed, on the same data and budget as the study's units,
 * and is tested on the same images, so the report can pair it with the study's DeepCorrect and with
 * fine-tuning. Pure: the CLI parses variants here, the engine names their folders here, the app shows them.
 */
export type Placement = 'post-activation' | 'pre-activation';
/** The ranking whose order a variant follows (a study ranking "both" has both). */
export type VariantRank = 'oracle' | 'proxy';

export interface StudyVariant {
  /** Its name in tables, stage records and folders, made from its settings (variantName). */
  name: string;
  placement?: Placement;
  layers?: string[];
  beta?: number;
  rank?: VariantRank;
}

/** The settings a variant trains with: the study's, overridden by the variant's own. */
export interface VariantSettings {
  placement: Placement;
  layers: string[];
  beta: number;
  rank: VariantRank;
}

/** The most variants one study trains (each is one more unit training per seed). */
export const MAX_STUDY_VARIANTS = 12;

const shortPlacement = (p: Placement): string => (p === 'pre-activation' ? 'pre' : 'post');

/** "placement-pre+layers-conv1-conv2-conv3+beta-0.25+rank-proxy": safe as a folder name on every system. */
export function variantName(v: Omit<StudyVariant, 'name'>): string {
  const parts: string[] = [];
  if (v.placement !== undefined) parts.push(`placement-${shortPlacement(v.placement)}`);
  if (v.layers !== undefined) parts.push(`layers-${v.layers.join('-')}`);
  if (v.beta !== undefined) parts.push(`beta-${v.beta}`);
  if (v.rank !== undefined) parts.push(`rank-${v.rank}`);
  return parts.join('+').replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/** The variant's change in words: "units before the activation; conv1-conv4; beta 0.25; proxy ranking". */
export function describeVariant(v: StudyVariant): string {
  const parts: string[] = [];
  if (v.placement !== undefined)
    parts.push(`units ${v.placement === 'pre-activation' ? 'before' : 'after'} the activation`);
  if (v.layers !== undefined) parts.push(`layers ${v.layers.join(', ')}`);
  if (v.beta !== undefined) parts.push(`beta ${v.beta}`);
  if (v.rank !== undefined) parts.push(`${v.rank} ranking`);
  return parts.join('; ');
}

/** The order the study's own units follow: the oracle's when it ranked with the oracle, else the proxy's. */
export function studyRank(rankMethod: 'proxy' | 'oracle' | 'both'): VariantRank {
  return rankMethod === 'proxy' ? 'proxy' : 'oracle';
}

export function variantSettings(
  study: { placement?: Placement; layers: string[]; beta: number; rankMethod: 'proxy' | 'oracle' | 'both' },
  v: StudyVariant,
): VariantSettings {
  return {
    placement: v.placement ?? study.placement ?? 'post-activation',
    layers: v.layers ?? study.layers,
    beta: v.beta ?? study.beta,
    rank: v.rank ?? studyRank(study.rankMethod),
  };
}

/**
 * Parses one `--variant` text: comma-separated key=value pairs, placement=pre|post, layers=a+b+c,
 * beta=<fraction in (0, 1]>, rank=oracle|proxy. Throws a message that names the bad part.
 */
export function parseVariant(text: string): StudyVariant {
  const v: Omit<StudyVariant, 'name'> = {};
  const seen = new Set<string>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const match = /^([a-z]+)\s*=\s*(.+)$/.exec(part);
    if (match === null)
      throw new Error(
        `"${part}" in the variant "${text}" is not key=value (placement=pre|post, layers=a+b, beta=0.25, rank=oracle|proxy)`,
      );
    const key = match[1] as string;
    const value = (match[2] as string).trim();
    if (seen.has(key)) throw new Error(`the variant "${text}" sets ${key} twice`);
    seen.add(key);
    if (key === 'placement') {
      if (value === 'pre' || value === 'pre-activation') v.placement = 'pre-activation';
      else if (value === 'post' || value === 'post-activation') v.placement = 'post-activation';
      else throw new Error(`placement=${value} in the variant "${text}": pre or post`);
    } else if (key === 'layers') {
      const layers = value
        .split('+')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (layers.length === 0 || new Set(layers).size !== layers.length)
        throw new Error(`layers=${value} in the variant "${text}": distinct layer names joined by +`);
      v.layers = layers;
    } else if (key === 'beta') {
      const beta = Number(value);
      if (!(beta > 0 && beta <= 1))
        throw new Error(`beta=${value} in the variant "${text}": a fraction within (0, 1]`);
      v.beta = beta;
    } else if (key === 'rank') {
      if (value !== 'oracle' && value !== 'proxy')
        throw new Error(`rank=${value} in the variant "${text}": oracle or proxy`);
      v.rank = value;
    } else
      throw new Error(`"${key}" in the variant "${text}" is not a setting: placement, layers, beta or rank`);
  }
  return { name: variantName(v), ...v };
}

/**
 * The ablation the method's open choices call for, one choice changed at a time against the study's own
 * settings: the other placement; the first four conv layers (or the first two when the study corrects more);
 * beta 0.25, 0.5 and 0.75 less the study's own; the other ranking. Choices the model cannot vary (a model
 * with the study's layers as all its conv layers) are left out.
 */
export function ablationVariants(
  study: { placement?: Placement; layers: string[]; beta: number; rankMethod: 'proxy' | 'oracle' | 'both' },
  convLayers: readonly string[],
): StudyVariant[] {
  const own = variantSettings(study, { name: '' });
  const out: Omit<StudyVariant, 'name'>[] = [];
  out.push({ placement: own.placement === 'pre-activation' ? 'post-activation' : 'pre-activation' });
  const wider = convLayers.slice(0, own.layers.length <= 2 ? 4 : 2);
  if (wider.length > 0 && wider.join() !== own.layers.join()) out.push({ layers: [...wider] });
  for (const beta of [0.25, 0.5, 0.75]) if (beta !== own.beta) out.push({ beta });
  out.push({ rank: own.rank === 'oracle' ? 'proxy' : 'oracle' });
  return out.map((v) => ({ name: variantName(v), ...v }));
}

/** The problem with a study's variants, or undefined: duplicates, too many, or one that changes nothing. */
export function variantsProblem(
  study: { placement?: Placement; layers: string[]; beta: number; rankMethod: 'proxy' | 'oracle' | 'both' },
  variants: readonly StudyVariant[],
): string | undefined {
  if (variants.length > MAX_STUDY_VARIANTS)
    return `a study trains at most ${MAX_STUDY_VARIANTS} variants, not ${variants.length}`;
  const own = JSON.stringify(variantSettings(study, { name: '' }));
  const names = new Set<string>();
  for (const v of variants) {
    if (v.name !== variantName(v))
      return `the variant "${v.name}" is named ${variantName(v)} by its settings`;
    if (names.has(v.name)) return `the variant ${v.name} is given twice`;
    names.add(v.name);
    if (JSON.stringify(variantSettings(study, v)) === own)
      return `the variant ${v.name} changes nothing: the study's own units already use it`;
    if (
      study.rankMethod !== 'both' &&
      (v.rank ?? studyRank(study.rankMethod)) !== studyRank(study.rankMethod)
    )
      return `the variant ${v.name} follows the ${v.rank ?? ''} ranking, which a study ranking with ${study.rankMethod} alone does not make: rank with both`;
  }
  return undefined;
}
