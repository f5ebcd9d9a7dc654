// Checks the architectural import boundaries declared in eslint.config.js, through ESLint's Node API.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const RESTRICTED_IMPORT = '@typescript-eslint/no-restricted-imports';
const RESTRICTED_SYNTAX = 'no-restricted-syntax';
const RESTRICTED_GLOBAL = 'no-restricted-globals';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: repoRoot,
    overrideConfigFile: path.join(repoRoot, 'eslint.config.js'),
    // The paths given to lintText below are virtual, so no tsconfig project contains them. The boundary rules
    // are syntactic, so lint these snippets without type information (same rules, no project service).
    overrideConfig: {
      files: ['**/*.ts'],
      ...tseslint.configs.disableTypeChecked,
    } as Linter.Config,
  });
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const results = await eslint.lintText(code, { filePath });
  expect(results).toHaveLength(1);
  const messages = results[0]?.messages ?? [];
  // A parse error or an "ignored file" warning would make every expectation below meaningless.
  expect(messages.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return messages;
}

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  return (await lint(filePath, code)).map((m) => m.ruleId ?? '(none)');
}

describe('shared/ boundary', () => {
  it('reports Node built-ins, with or without the node: prefix', async () => {
    expect(await ruleIds('shared/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
    expect(await ruleIds('shared/x.ts', "import path from 'path';\nexport const a = path;\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
    expect(
      await ruleIds(
        'shared/x.ts',
        "import type { Worker } from 'worker_threads';\nexport type W = Worker;\n",
      ),
    ).toEqual([RESTRICTED_IMPORT]);
  });

  it('reports dynamic imports and import types of Node built-ins', async () => {
    expect(await ruleIds('shared/x.ts', "export const load = () => import('node:child_process');\n")).toEqual(
      [RESTRICTED_SYNTAX],
    );
    expect(await ruleIds('shared/x.ts', "export type S = import('node:fs').Stats;\n")).toEqual([
      RESTRICTED_SYNTAX,
    ]);
  });

  it('reports electron and imports reaching into renderer/ or electron/', async () => {
    expect(await ruleIds('shared/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
    expect(await ruleIds('shared/x.ts', "export { x } from '../electron/engine/x.ts';\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
    expect(await ruleIds('shared/x.ts', "export * from '../renderer/src/x.ts';\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
  });

  it('reports browser and Node globals', async () => {
    expect(await ruleIds('shared/x.ts', 'export const w = window.innerWidth;\n')).toEqual([
      RESTRICTED_GLOBAL,
    ]);
    expect(await ruleIds('shared/x.ts', 'export const d = document.title;\n')).toEqual([RESTRICTED_GLOBAL]);
    expect(await ruleIds('shared/x.ts', 'export const p = process.pid;\n')).toEqual([RESTRICTED_GLOBAL]);
    expect(await ruleIds('shared/x.ts', "export const b = Buffer.from('x');\n")).toEqual([RESTRICTED_GLOBAL]);
  });

  it('allows platform-neutral code and imports within shared/', async () => {
    const code = "import { y } from './y.ts';\nexport const x = [y, new URL('a:b'), performance.now()];\n";
    expect(await lint('shared/x.ts', code)).toEqual([]);
  });
});

describe('electron/engine/ boundary', () => {
  it('reports electron, statically or dynamically imported', async () => {
    expect(
      await ruleIds('electron/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([RESTRICTED_IMPORT]);
    expect(await ruleIds('electron/engine/x.ts', "export const load = () => import('electron');\n")).toEqual([
      RESTRICTED_SYNTAX,
    ]);
  });

  it('allows Node built-ins, Node globals and shared/', async () => {
    const code =
      "import fs from 'node:fs';\nimport { Worker } from 'worker_threads';\n" +
      "import { y } from '../../shared/y.ts';\nexport const x = [fs, Worker, y, process.pid];\n";
    expect(await lint('electron/engine/x.ts', code)).toEqual([]);
  });
});

describe('electron/main/', () => {
  it('may import electron', async () => {
    expect(
      await lint('electron/main/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([]);
  });
});

describe('renderer/ boundary', () => {
  it('reports Node built-ins, electron and the engine', async () => {
    expect(await ruleIds('renderer/src/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toEqual([
      RESTRICTED_IMPORT,
    ]);
    expect(
      await ruleIds('renderer/src/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([RESTRICTED_IMPORT]);
    expect(
      await ruleIds(
        'renderer/src/x.ts',
        "import { e } from '../../electron/engine/e.ts';\nexport const a = e;\n",
      ),
    ).toEqual([RESTRICTED_IMPORT]);
    expect(await ruleIds('renderer/src/x.ts', 'export const p = process.pid;\n')).toEqual([
      RESTRICTED_GLOBAL,
    ]);
  });

  it('allows shared/, browser libraries and DOM globals', async () => {
    const code =
      "import * as tf from '@tensorflow/tfjs';\nimport { y } from '../../shared/y.ts';\n" +
      'export const x = [tf, y, window.innerWidth, document.title];\n';
    expect(await lint('renderer/src/x.ts', code)).toEqual([]);
  });
});

describe('eslint-disable directives', () => {
  it('require a reason', async () => {
    const bare = '// eslint-disable-next-line @typescript-eslint/no-explicit-any\nexport const a: any = 1;\n';
    expect(await ruleIds('shared/x.ts', bare)).toEqual(['local/require-disable-reason']);
    const reasoned =
      '// eslint-disable-next-line @typescript-eslint/no-explicit-any -- third-party typings\n' +
      'export const a: any = 1;\n';
    expect(await lint('shared/x.ts', reasoned)).toEqual([]);
    expect(await ruleIds('shared/x.ts', 'export const a: any = 1;\n')).toEqual([
      '@typescript-eslint/no-explicit-any',
    ]);
  });
});
