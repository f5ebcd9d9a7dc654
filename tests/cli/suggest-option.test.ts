import { describe, expect, it } from 'vitest';
import { closestOptions, editDistance, suggestionFor } from '../../electron/engine/cli/suggest-option.ts';

const DISTORT = [
  '--in',
  '--kind',
  '--level',
  '--out',
  '--seed',
  '--kernel-size',
  '--clip',
  '--angle',
  '--split',
];

describe('the closest option to a misspelt one', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('input', 'in')).toBe(3);
    expect(editDistance('modle', 'model')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('finds an option the typed name begins with, which commander misses', () => {
    expect(closestOptions('--input', DISTORT)).toEqual(['--in']);
    expect(suggestionFor('--input=x.png', DISTORT)).toBe(' (did you mean --in?)');
  });

  it('finds typos and lists ties', () => {
    expect(closestOptions('--levle', DISTORT)).toEqual(['--level']);
    expect(closestOptions('--sed', ['--seed', '--set'])).toEqual(['--seed', '--set']);
    expect(suggestionFor('--sed', ['--seed', '--set'])).toBe(' (did you mean --seed or --set?)');
  });

  it('suggests nothing when nothing is close', () => {
    expect(closestOptions('--temperature', DISTORT)).toEqual([]);
    expect(suggestionFor('--zz', DISTORT)).toBe('');
  });
});
