import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../renderer/src/lib/csv.ts';

describe('CSV (RFC 4180)', () => {
  it('leaves plain fields alone and quotes those with commas, quotes, CR or LF', () => {
    expect(csvField('baseline')).toBe('baseline');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded ')).toBe('" padded "');
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
