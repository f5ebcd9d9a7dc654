// One file-name convention across the engine, the renderer, shared code and tests (issue 15): kebab-case
// for code files, PascalCase for Vue components.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n');
const code = tracked.filter((f) => /\.(ts|mjs|js)$/.test(f));
const components = tracked.filter((f) => f.endsWith('.vue'));

describe('file names', () => {
  it('are kebab-case for code (with dotted suffixes such as .test or .e2e.test)', () => {
    expect(code.length).toBeGreaterThan(100);
    const odd = code.filter(
      (f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*\.(ts|mjs|js)$/.test(path.basename(f)),
    );
    expect(odd).toEqual([]);
  });

  it('are PascalCase for Vue components', () => {
    expect(components.length).toBeGreaterThan(20);
    expect(components.filter((f) => !/^[A-Z][A-Za-z0-9]*\.vue$/.test(path.basename(f)))).toEqual([]);
  });
});
