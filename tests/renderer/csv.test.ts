import { describe, expect, it } from 'vitest';
import { csvField, csvNumber, toCsv } from '../../renderer/src/lib/csv.ts';

describe('CSV (RFC 4180)', () => {
  it('leaves plain fields alone and quotes those with commas, quotes, CR or LF', () => {
    expect(csvField('baseline')).toBe('baseline');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded ')).toBe('" padded "');
  });

  it('writes whole numbers exactly and others to 6 significant digits, without float noise', () => {
    expect(csvField(0.6745000000000001)).toBe('0.6745');
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(csvField(1 / 3)).toBe('0.333333');
    expect(csvField(-0.0233333333)).toBe('-0.0233333');
    expect(csvField(1234567)).toBe('1234567');
    expect(csvNumber(0.000012345678)).toBe('0.0000123457');
    expect(Number(csvNumber(1.5e-9))).toBeCloseTo(1.5e-9, 15);
    // A spreadsheet reads back the value to within half a unit of the 6th digit.
    for (const v of [0.674523891, 84.10253, 0.9999996])
      expect(Math.abs(Number(csvNumber(v)) - v)).toBeLessThan(v * 5e-6);
  });

  it('writes numbers exactly, and nothing for missing or non-finite values', () => {
    expect(csvField(0.6023)).toBe('0.6023');
    expect(csvField(18752)).toBe('18752');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(true)).toBe('true');
  });

  it('ends every record with CRLF', () => {
    expect(
      toCsv([
        ['model', 'top-1'],
        ['Fine-tuned, all', 0.5],
      ]),
    ).toBe('model,top-1\r\n"Fine-tuned, all",0.5\r\n');
    expect(toCsv([])).toBe('');
  });
});
