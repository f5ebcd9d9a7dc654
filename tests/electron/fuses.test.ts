// The packaging settings that keep the shipped app from running code it did not ship (issue 16, finding 8):
// Electron's fuses in electron-builder.yml, an asar archive, and the engine host inside it. The app cannot
// be packaged here (no Electron binary offline), so the configuration is read as electron-builder reads it
// (js-yaml, as app-builder-lib does) and, where app-builder-lib is installed, checked against its schema.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { electronBundlePaths } from '../../electron/build.ts';
import { appLayout } from '../../electron/main/layout.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

// js-yaml is what app-builder-lib parses electron-builder.yml with; the project has it through eslint.
const yaml = require('js-yaml') as { load(text: string): unknown };
const minimatch = require('minimatch') as (
  file: string,
  pattern: string,
  options: { dot: boolean },
) => boolean;

interface BuilderConfig {
  asar?: unknown;
  asarUnpack?: string[];
  files?: string[];
  electronFuses?: Record<string, unknown>;
  [key: string]: unknown;
}
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** The fuses and the value each must have; why each is set is said beside it in electron-builder.yml. */
const HARDENED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
  enableCookieEncryption: true,
};

/**
 * Whether electron-builder unpacks a file of the app, by its own rule (app-builder-lib's FileMatcher):
 * minimatch with dot files, and a plain folder name without a dot also matching everything under it.
 */
function unpacked(file: string): boolean {
  return (config.asarUnpack ?? []).some((pattern) => {
    if (minimatch(file, pattern, { dot: true })) return true;
    const folder = !pattern.includes('.') && !/[*?[\]{}!()+@]/.test(pattern);
    return folder && minimatch(file, `${pattern}/**/*`, { dot: true });
  });
}

function packed(file: string): boolean {
  const includes = (config.files ?? []).filter((p) => !p.startsWith('!'));
  const excludes = (config.files ?? []).filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return (
    includes.some((p) => minimatch(file, p, { dot: true })) &&
    !excludes.some((p) => minimatch(file, p, { dot: true }))
  );
}

const bundles = electronBundlePaths();
const hostFiles = [bundles.host, bundles.gradWorker].map((f) =>
  path.relative(root, f).split(path.sep).join('/'),
);

describe('Electron fuses in electron-builder.yml', () => {
  it('sets every fuse to its hardened value, and no other', () => {
    expect(config.electronFuses).toEqual(HARDENED_FUSES);
  });

  it('packs the app into one asar archive, which onlyLoadAppFromAsar and asar integrity rely on', () => {
    expect(config.asar).toBe(true);
  });
});

describe('the engine host under asar integrity', () => {
  it('keeps the host bundle and its gradient worker inside app.asar, not unpacked', () => {
    expect(hostFiles).toEqual(['out/host/index.mjs', 'out/host/grad-worker.mjs']);
    for (const file of hostFiles) {
      expect(packed(file), `${file} is not in the app`).toBe(true);
      expect(unpacked(file), `${file} is unpacked, outside asar integrity`).toBe(false);
    }
  });

  it('forks the host from its path inside app.asar in a packaged app', () => {
    const layout = appLayout(
      path.resolve('/opt/app/resources/app.asar/out/main'),
      true,
      '/opt/app/resources',
    );
    expect(layout.hostEntry).toBe(path.resolve('/opt/app/resources/app.asar/out/host/index.mjs'));
  });

  it('still unpacks the native code, which the OS loader maps from disk', () => {
    for (const file of [
      'node_modules/webgpu/dist/linux-x64/dawn.node',
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
    ])
      expect(unpacked(file), file).toBe(true);
  });
});

// The schema electron-builder validates its configuration with (additionalProperties: false): a misspelt
// key fails the build there, and fails this test first.
const schemaPath = path.join(root, 'node_modules/app-builder-lib/scheme.json');
const schemaInstalled = existsSync(schemaPath);

interface JsonSchema {
  $ref?: string;
  anyOf?: JsonSchema[];
  type?: string | string[];
  additionalProperties?: boolean;
  properties?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
}

describe.skipIf(!schemaInstalled)(
  "electron-builder.yml against the installed app-builder-lib's schema",
  () => {
    const schema = (schemaInstalled ? JSON.parse(readFileSync(schemaPath, 'utf8')) : {}) as JsonSchema;
    const resolve = (s: JsonSchema): JsonSchema => {
      const ref = s.$ref?.replace('#/definitions/', '');
      return ref === undefined ? s : (schema.definitions?.[ref] ?? {});
    };

    it('every top-level key is one electron-builder knows', () => {
      expect(schema.additionalProperties).toBe(false);
      for (const key of Object.keys(config)) expect(schema.properties, key).toHaveProperty(key);
    });

    it('every fuse key is one electron-builder passes to @electron/fuses, as a boolean', () => {
      const section = schema.properties?.['electronFuses'];
      const fuses = (section?.anyOf ?? []).map(resolve).find((s) => s.properties !== undefined);
      expect(fuses?.additionalProperties).toBe(false);
      for (const key of Object.keys(config.electronFuses ?? {})) {
        expect(fuses?.properties, key).toHaveProperty(key);
        expect(fuses?.properties?.[key]?.type, key).toBe('boolean');
      }
    });
  },
);

describe.skipIf(schemaInstalled)("electron-builder.yml against app-builder-lib's schema", () => {
  it.skip('is not checked: app-builder-lib is not installed (npm install electron-builder@26 brings it)', () => {});
});
