import { describe, expect, it } from 'vitest';
import {
  ablationVariants,
  describeVariant,
  parseVariant,
  variantName,
  variantSettings,
  variantsProblem,
} from '../../shared/study-variants.ts';

const study = {
  placement: 'post-activation' as const,
  layers: ['conv1', 'conv2'],
  beta: 0.5,
  rankMethod: 'both' as const,
};
const conv = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'];

describe('study variants', () => {
  it('parses key=value settings into a named variant', () => {
    expect(parseVariant('placement=pre')).toEqual({ name: 'placement-pre', placement: 'pre-activation' });
    expect(parseVariant(' beta = 0.25 , rank=proxy ')).toEqual({
      name: 'beta-0.25+rank-proxy',
      beta: 0.25,
      rank: 'proxy',
    });
    expect(parseVariant('layers=conv1+conv2+conv3')).toEqual({
      name: 'layers-conv1-conv2-conv3',
      layers: ['conv1', 'conv2', 'conv3'],
    });
    // Names are folder names: nothing but letters, digits and . _ + - survives.
    expect(variantName({ layers: ['block/conv 1'] })).toBe('layers-block_conv_1');
    expect(describeVariant(parseVariant('placement=post,layers=a+b,beta=0.75,rank=oracle'))).toBe(
      'units after the activation; layers a, b; beta 0.75; oracle ranking',
    );
  });

  it('refuses a bad variant, naming the part and what it takes', () => {
    expect(() => parseVariant('placement=middle')).toThrow(/placement=middle .*pre or post/);
    expect(() => parseVariant('beta=0')).toThrow(/beta=0 .*within \(0, 1\]/);
    expect(() => parseVariant('beta=1.5')).toThrow(/beta=1.5/);
    expect(() => parseVariant('rank=random')).toThrow(/oracle or proxy/);
    expect(() => parseVariant('layers=a+a')).toThrow(/distinct layer names/);
    expect(() => parseVariant('depth=3')).toThrow(/"depth" .*placement, layers, beta or rank/);
    expect(() => parseVariant('beta=0.25,beta=0.75')).toThrow(/sets beta twice/);
    expect(() => parseVariant('pre')).toThrow(/not key=value/);
  });

  it("builds the standard ablation, one choice changed at a time against the study's own", () => {
    const names = ablationVariants(study, conv).map((v) => v.name);
    expect(names).toEqual([
      'placement-pre',
      'layers-conv1-conv2-conv3-conv4',
      'beta-0.25',
      'beta-0.75',
      'rank-proxy',
    ]);
    // Each changes exactly one setting and none repeats the study's own.
    for (const v of ablationVariants(study, conv)) {
      const own = variantSettings(study, { name: '' });
      const mine = variantSettings(study, v);
      const changed = (Object.keys(own) as (keyof typeof own)[]).filter(
        (k) => JSON.stringify(own[k]) !== JSON.stringify(mine[k]),
      );
      expect(changed).toHaveLength(1);
    }
    expect(variantsProblem(study, ablationVariants(study, conv))).toBeUndefined();
    // A study of four layers at beta 0.25 with the proxy: the first two, the other betas, the oracle.
    const other = { layers: conv.slice(0, 4), beta: 0.25, rankMethod: 'proxy' as const };
    expect(ablationVariants(other, conv).map((v) => v.name)).toEqual([
      'placement-pre',
      'layers-conv1-conv2',
      'beta-0.5',
      'beta-0.75',
      'rank-oracle',
    ]);
    // A model whose only conv layers the study corrects has no layer variant.
    expect(ablationVariants(study, ['conv1', 'conv2']).some((v) => v.layers !== undefined)).toBe(false);
  });

  it('finds duplicates, no-ops, renamed variants and rankings the study does not make', () => {
    const pre = parseVariant('placement=pre');
    expect(variantsProblem(study, [pre, pre])).toMatch(/given twice/);
    expect(variantsProblem(study, [parseVariant('beta=0.5')])).toMatch(/changes nothing/);
    expect(variantsProblem(study, [{ ...pre, name: 'mine' }])).toMatch(/named placement-pre/);
    expect(variantsProblem({ ...study, rankMethod: 'oracle' }, [parseVariant('rank=proxy')])).toMatch(
      /rank with both/,
    );
    expect(variantsProblem({ ...study, rankMethod: 'oracle' }, [parseVariant('rank=oracle,beta=0.25')])).toBe(
      undefined,
    );
    const many = Array.from({ length: 13 }, (_, i) => parseVariant(`beta=${(i + 1) / 20}`));
    expect(variantsProblem(study, many)).toMatch(/at most 12 variants/);
  });
});
