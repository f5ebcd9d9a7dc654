// @ts-check
// ESLint 9 flat config.
//
// TypeScript files are linted with type information from the three projects that tsconfig.json references
// (named here rather than found by typescript-eslint's project service: the service took 93-101 s to lint
// this tree against 57-70 s, on 2 cores). Plain JS files (this file, bin/*.mjs) are linted without types.
//
// Architectural boundaries (enforced for static imports, re-exports, `import()`, `require()`,
// `import x = require()` and `import('…')` type queries):
//   shared/**          platform-neutral: no Node built-ins, no `electron`, no native Node packages, no DOM,
//                      no imports from renderer/, electron/, tests/, bench/; no browser or Node globals.
//   electron/engine/** no `electron` (the engine runs headless from the CLI and in workers), no renderer/.
//   renderer/**        only shared/ and browser libraries: no Node built-ins, no `electron`, no native Node
//                      packages, nothing from electron/ (main, preload or engine); no Node globals.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

// ---------------------------------------------------------------------------------------------------------
// Import boundary definitions
// ---------------------------------------------------------------------------------------------------------

/** @param {string} s */
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const nodeBuiltinNames = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]))]
  .filter((m) => m !== undefined && !m.startsWith('_'))
  .sort();

/**
 * One forbidden group of module specifiers.
 * @typedef {{ regex: string, message: string }} Forbidden
 */

/** @type {Forbidden} */
const NODE_BUILTINS = {
  regex: `^(?:node:.*|(?:${nodeBuiltinNames.map(escapeRegex).join('|')})(?:/.*)?)$`,
  message: 'Node built-in modules are not allowed here (see the boundary rules in eslint.config.js).',
};
/** @type {Forbidden} */
const ELECTRON = {
  regex: '^electron(?:/.*)?$',
  message:
    "'electron' may only be imported by the Electron main/preload code (electron/main, electron/preload).",
};
/** @type {Forbidden} */
const NATIVE_NODE_PACKAGES = {
  regex: '^(?:@tensorflow/tfjs-node(?:-gpu)?|webgpu)(?:/.*)?$',
  message: 'Native Node packages (tfjs-node, dawn.node `webgpu`) are only allowed in electron/engine.',
};
/** @type {Forbidden} */
const DOM_PACKAGES = {
  regex: '^(?:vue|@vue/.*|vue-.*)(?:/.*)?$',
  message: 'shared/ must not depend on UI/DOM libraries.',
};

/**
 * A relative specifier that walks through a directory called `dir`.
 * @param {string} dir
 * @param {string} message
 * @returns {Forbidden}
 */
const relativeInto = (dir, message) => ({
  regex: `^\\.\\.?/(?:.*/)?${dir}(?:/.*)?$`,
  message,
});

const SHARED_ONLY_SHARED = [
  relativeInto('electron', 'shared/ must not import from electron/.'),
  relativeInto('renderer', 'shared/ must not import from renderer/.'),
  relativeInto('(?:tests|bench|bin)', 'shared/ must not import from tests/, bench/ or bin/.'),
];
const ENGINE_NO_RENDERER = [relativeInto('renderer', 'electron/engine must not import from renderer/.')];
const RENDERER_NO_ELECTRON_DIR = [
  relativeInto('electron', 'renderer/ must not import from electron/ (use shared/ or IPC through preload).'),
  relativeInto('(?:tests|bench|bin)', 'renderer/ must not import from tests/, bench/ or bin/.'),
];

/**
 * esquery regex literals cannot contain '/', so write it as \u002F (same meaning in a non-unicode RegExp).
 * @param {string} regex
 */
const esqueryRegex = (regex) => `/${regex.replaceAll('/', '\\u002F')}/`;

/**
 * Rule entries that forbid a set of module specifiers everywhere they can appear.
 * Static imports/re-exports/`import x = require()` go through @typescript-eslint/no-restricted-imports;
 * dynamic `import()`, `require()` and `import('…')` types through no-restricted-syntax.
 * @param {Forbidden[]} forbidden
 * @returns {import('eslint').Linter.RulesRecord}
 */
function forbidImports(forbidden) {
  const selectors = forbidden.flatMap(({ regex, message }) => {
    const re = esqueryRegex(regex);
    return [
      {
        selector: `ImportExpression[source.type='Literal'][source.value=${re}]`,
        message,
      },
      {
        selector: `ImportExpression > TemplateLiteral.source > TemplateElement[value.cooked=${re}]`,
        message,
      },
      {
        selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${re}]`,
        message,
      },
      {
        selector: `CallExpression[callee.object.name='require'][callee.property.name='resolve'] > Literal.arguments[value=${re}]`,
        message,
      },
      { selector: `TSImportType > Literal.source[value=${re}]`, message },
    ];
  });
  return {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map(({ regex, message }) => ({
          regex,
          message,
          caseSensitive: true,
        })),
      },
    ],
    'no-restricted-syntax': ['error', ...selectors],
  };
}

/** Globals that would tie code to one platform. */
const NODE_ONLY_GLOBALS = [
  'process',
  'Buffer',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'global',
  'setImmediate',
  'clearImmediate',
];
const DOM_ONLY_GLOBALS = [
  'window',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'self',
  'alert',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'HTMLElement',
  'HTMLCanvasElement',
  'HTMLImageElement',
  'HTMLVideoElement',
  'Image',
  'OffscreenCanvas',
  'CanvasRenderingContext2D',
];
/**
 * @param {string[]} names
 * @param {string} why
 */
const restrictGlobals = (names, why) => names.map((name) => ({ name, message: `'${name}' ${why}` }));

// ---------------------------------------------------------------------------------------------------------
// Local rule: every eslint-disable directive must carry a reason (`-- why`).
// ---------------------------------------------------------------------------------------------------------

/** @type {import('eslint').Rule.RuleModule} */
const requireDisableReason = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Require a `-- reason` on every eslint-disable directive.',
    },
    schema: [],
    messages: {
      missing:
        'Give a reason for disabling lint rules: `// eslint-disable-next-line rule-name -- why this is needed`.',
    },
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const text = comment.value.trim();
          if (!/^eslint-disable(?:-next-line|-line)?(?:\s|$)/.test(text)) continue;
          // ESLint's own directive syntax: the description follows whitespace, two or more dashes, whitespace.
          const match = /\s-{2,}\s+(\S.*)$/s.exec(text);
          if (!match)
            context.report({
              loc: comment.loc ?? { line: 1, column: 0 },
              messageId: 'missing',
            });
        }
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------------------
// Vue single-file components (renderer/**/*.vue)
// ---------------------------------------------------------------------------------------------------------

// eslint-plugin-vue's recommended rules, confined to .vue files. Its layout rules are turned off: Prettier owns
// formatting (the plugin's own `no-layout-rules` set, the same list eslint-config-prettier disables).
const VUE_FILES = ['**/*.vue'];
const vueRecommended = pluginVue.configs['flat/recommended'].map((config) => ({
  ...config,
  files: VUE_FILES,
}));

// ---------------------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------------------

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'out/',
    'dist/',
    'coverage/',
    'scratch/',
    'bench-results/',
    'resources/',
    '.gpu/',
    '.gl/',
    '.whl/',
  ]),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    name: 'deepcorrect/base',
    plugins: {
      local: { rules: { 'require-disable-reason': requireDisableReason } },
    },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.e2e.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      'local/require-disable-reason': 'error',
    },
  },

  // Vue components: vue-eslint-parser for the template, typescript-eslint (with types) for <script lang="ts">.
  // They sit under renderer/, so the renderer boundary block below applies to them as well.
  ...vueRecommended,
  {
    name: 'deepcorrect/vue',
    files: VUE_FILES,
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        project: ['./tsconfig.web.json'],
        tsconfigRootDir: import.meta.dirname,
        sourceType: 'module',
      },
    },
    rules: {
      ...pluginVue.configs['no-layout-rules'].rules,
      // Every <script> in this project is TypeScript.
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      // As for .ts files (typescript-eslint's eslint-recommended override): vue-tsc reports undefined names,
      // with knowledge of types that no-undef lacks.
      'no-undef': 'off',
    },
  },

  // Plain JavaScript (this config, bin/*.mjs): no type information.
  {
    name: 'deepcorrect/javascript',
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },

  // Node-side code: the CLI launcher, the Electron main process and engine, tests, benchmarks, tool configs.
  {
    name: 'deepcorrect/node-globals',
    files: ['bin/**', 'scripts/**', 'electron/**', 'tests/**', 'bench/**', '*.config.{js,mjs,cjs,ts,mts}'],
    languageOptions: { globals: { ...globals.node } },
  },

  // shared/: platform-neutral code used by both the engine and the renderer.
  {
    name: 'deepcorrect/boundary-shared',
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      ...forbidImports([NODE_BUILTINS, ELECTRON, NATIVE_NODE_PACKAGES, DOM_PACKAGES, ...SHARED_ONLY_SHARED]),
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(NODE_ONLY_GLOBALS, 'is Node-only; shared/ must stay platform-neutral.'),
        ...restrictGlobals(DOM_ONLY_GLOBALS, 'is DOM-only; shared/ must stay platform-neutral.'),
      ],
    },
  },

  // electron/engine/: headless ML engine (runs under plain Node from the CLI, and in worker threads).
  {
    name: 'deepcorrect/boundary-engine',
    files: ['electron/engine/**'],
    rules: forbidImports([ELECTRON, ...ENGINE_NO_RENDERER]),
  },

  // electron/: no synchronous tensor reads. tfjs-backend-webgpu implements them with an OffscreenCanvas, which
  // Node lacks, so they throw on a GPU; electron/engine/backend/read.ts reads asynchronously instead.
  {
    name: 'deepcorrect/no-sync-reads',
    files: ['electron/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['dataSync', 'arraySync', 'bufferSync'].map((property) => ({
          property,
          message: `${property}() fails on the webgpu backend in Node (no OffscreenCanvas): await a read from electron/engine/backend/read.ts.`,
        })),
      ],
    },
  },

  // renderer/: browser code; only shared/ and browser libraries.
  {
    name: 'deepcorrect/boundary-renderer',
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...forbidImports([NODE_BUILTINS, ELECTRON, NATIVE_NODE_PACKAGES, ...RENDERER_NO_ELECTRON_DIR]),
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(NODE_ONLY_GLOBALS, 'is Node-only; the renderer runs sandboxed (use preload IPC).'),
      ],
    },
  },
);
