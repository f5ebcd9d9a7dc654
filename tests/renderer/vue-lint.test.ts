// The renderer's boundary rules and the Vue rules reach inside .vue single-file components.
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
    // The snippets below are virtual files that no tsconfig holds; the rules checked here need no types.
    overrideConfig: { files: ['**/*.vue'], ...tseslint.configs.disableTypeChecked } as Linter.Config,
  });
});

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const messages = result?.messages ?? [];
  expect(messages.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return messages.map((m) => m.ruleId ?? '(none)');
}

const component = (script: string, template = '<div />') =>
  `<script setup lang="ts">\n${script}\n</script>\n\n<template>\n  ${template}\n</template>\n`;

describe('linting .vue files', () => {
  it('accepts a clean component that imports shared/', async () => {
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        component(
          "import { DISTORTIONS } from '../../../shared/distortions.ts';\nconst label = DISTORTIONS.blur.label;",
          '<p>{{ label }}</p>',
        ),
      ),
    ).toEqual([]);
  });

  it('applies the renderer boundary: no Node built-ins, no electron, nothing from electron/', async () => {
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        component("import fs from 'node:fs';\nconsole.log(fs);"),
      ),
    ).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        component("import { ipcRenderer } from 'electron';\nconsole.log(ipcRenderer);"),
      ),
    ).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        component("const load = () => import('../../../electron/engine/resources.ts');\nconsole.log(load);"),
      ),
    ).toEqual(['no-restricted-syntax']);
    expect(await ruleIds('renderer/src/views/SomeView.vue', component('console.log(process.env);'))).toEqual([
      'no-restricted-globals',
    ]);
  });

  it('applies the Vue rules and requires TypeScript scripts', async () => {
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        component('const items = [1, 2];', '<ul><li v-for="i in items">{{ i }}</li></ul>'),
      ),
    ).toEqual(['vue/require-v-for-key']);
    expect(
      await ruleIds(
        'renderer/src/views/SomeView.vue',
        '<script setup>\nconst a = 1;\n</script>\n<template>{{ a }}</template>\n',
      ),
    ).toContain('vue/block-lang');
  });
});
