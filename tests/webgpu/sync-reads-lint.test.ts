// The lint rule that keeps synchronous tensor reads out of electron/ (they throw on webgpu in Node, which has
// no OffscreenCanvas), through ESLint's Node API with the project's config. Needs no GPU.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: repoRoot,
    overrideConfigFile: path.join(repoRoot, 'eslint.config.js'),
    // The snippets' paths are virtual, so no tsconfig holds them; the rule is syntactic.
    overrideConfig: { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked } as Linter.Config,
  });
});

async function messages(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const found = result?.messages ?? [];
  expect(found.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return found;
}

const read = (call: string): string =>
  `import * as tf from '@tensorflow/tfjs';\nconst t = tf.scalar(1);\nexport const v = ${call};\n`;

describe('no synchronous tensor reads in electron/', () => {
  it('reports dataSync, arraySync and bufferSync, naming the asynchronous way', async () => {
    for (const method of ['dataSync', 'arraySync', 'bufferSync']) {
      const found = await messages('electron/engine/eval/x.ts', read(`t.${method}()`));
      expect(found.map((m) => m.ruleId)).toEqual(['no-restricted-properties']);
      expect(found[0]?.message).toContain(`${method}() fails on the webgpu backend`);
      expect(found[0]?.message).toContain('electron/engine/backend/read.ts');
    }
    // A reference without the call (passed along to be called later) is reported too.
    expect((await messages('electron/main/x.ts', read('t.dataSync'))).map((m) => m.ruleId)).toEqual([
      'no-restricted-properties',
    ]);
  });

  it('accepts the asynchronous reads, and leaves tests and benchmarks alone', async () => {
    expect(await messages('electron/engine/eval/x.ts', read('await t.data()'))).toEqual([]);
    expect(await messages('tests/engine/x.ts', read('t.dataSync()'))).toEqual([]);
    expect(await messages('bench/x.ts', read('t.dataSync()'))).toEqual([]);
  });
});
