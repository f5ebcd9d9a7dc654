// The repository must stand on its own: a user's clone has no folder beside it, so nothing may point to the
// notes that lived in one during development (issue 17, section 6). The method is described in docs/method.md,
// and references to it must name sections that exist there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Built from parts so that this file does not match its own patterns.
const OUTSIDE = ['..', 'shared', ''].join('/');
const NOTES = ['shared', 'docs', ''].join('/');

/** A module specifier into the repository's own shared/ code folder: `from '../shared/x.ts'`, `import('...')`. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*)(['"])(?:\.\.\/)+shared\/[^'"]*\1/g;

const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '');

/** Tracked text files (binary ones hold a NUL byte), with their lines. */
function textFiles(): { file: string; lines: string[] }[] {
  const out: { file: string; lines: string[] }[] = [];
  for (const file of tracked) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue; // deleted in the working tree but not yet from the index
    }
    if (bytes.includes(0)) continue;
    out.push({ file, lines: bytes.toString('utf8').split('\n') });
  }
  return out;
}

/** Every line that points outside the repository, as file:line: text. */
function outsideReferences(files: { file: string; lines: string[] }[]): string[] {
  const found: string[] = [];
  for (const { file, lines } of files)
    lines.forEach((line, i) => {
      const rest = line.replace(SPECIFIER, '');
      if (rest.includes(OUTSIDE) || line.includes(NOTES)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  return found;
}

describe('references outside the repository', () => {
  const files = textFiles();

  it('reads the tracked files', () => {
    expect(files.length).toBeGreaterThan(300);
  });

  it('finds none: no file mentions the folder beside the clone or its notes', () => {
    expect(outsideReferences(files)).toEqual([]);
  });

  it('tells an import of the own shared/ code from a pointer outside', () => {
    const sample = (text: string) => outsideReferences([{ file: 'x.ts', lines: [text] }]);
    expect(sample(`import { a } from '${OUTSIDE}a.ts';`)).toEqual([]);
    expect(sample(`} from "../../${OUTSIDE}bridge/contract.ts";`)).toEqual([]);
    expect(sample(`const m = await import('${OUTSIDE}b.ts');`)).toEqual([]);
    expect(sample(`// see ${OUTSIDE}notes.md`)).toHaveLength(1);
    expect(sample(`the method of \`${OUTSIDE}${NOTES}method.md\``)).toHaveLength(1);
    expect(sample(`import { a } from '${OUTSIDE}a.ts'; // and ${OUTSIDE}x`)).toHaveLength(1);
    expect(sample(`read ${NOTES}facts.md`)).toHaveLength(1);
  });
});

describe('references to docs/method.md', () => {
  const method = readFileSync('docs/method.md', 'utf8');
  const sections = new Set([...method.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])));

  it('has numbered sections', () => {
    expect([...sections]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('name sections that exist', () => {
    const cited = /method\.md(?:\]\(method\.md\)|`)?\s*(?:§|sections?\s+)(\d+)(?:\s+and\s+(\d+))?/g;
    const bad: string[] = [];
    let count = 0;
    for (const { file, lines } of textFiles())
      lines.forEach((line, i) => {
        for (const m of line.matchAll(cited))
          for (const n of [m[1], m[2]].filter((v) => v !== undefined)) {
            count++;
            if (!sections.has(Number(n))) bad.push(`${file}:${i + 1}: section ${n}`);
          }
      });
    expect(count).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  });
});
