// A NumberField without a step steps by 1, and the browser then refuses to submit its form with a fraction in it
// (the study form's validation share of 0.5 did nothing when Run study was pressed): only whole-number fields
// may leave the step out.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT, type RequestName } from '../../shared/bridge/contract.ts';
import { leafAt } from '../../renderer/src/lib/schema-issues.ts';

const src = fileURLToPath(new URL('../../renderer/src/', import.meta.url));

function vueFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? vueFiles(path.join(dir, e.name))
      : e.name.endsWith('.vue')
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Each `<NumberField ... />` of the renderer: its file, request, path and step (undefined when left out). */
function numberFields(): { file: string; request: string; path: string; step: string | undefined }[] {
  return vueFiles(src).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/<NumberField\b([^>]*?)\/>/gs)].map((m) => {
      const attrs = m[1] ?? '';
      const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
      return {
        file: path.relative(src, file),
        request: attr('request') ?? '',
        path: attr('path') ?? '',
        step: attr('step'),
      };
    }),
  );
}

describe('NumberField steps', () => {
  it('finds the forms’ number fields', () => {
    expect(numberFields().length).toBeGreaterThan(15);
  });

  it('leaves the step out only on whole-number fields', () => {
    const fractional = numberFields()
      .filter((f) => f.step === undefined)
      .filter((f) => {
        const leaf = leafAt(CONTRACT[f.request as RequestName].input, f.path.split('.'));
        expect(leaf, `${f.file}: ${f.request} ${f.path}`).toBeInstanceOf(z.ZodNumber);
        return !(leaf as z.ZodNumber).isInt;
      })
      .map((f) => `${f.file}: ${f.request} ${f.path}`);
    expect(fractional).toEqual([]);
  });
});
