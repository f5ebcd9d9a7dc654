/**
 * Bundles the Node-side parts of the desktop app with esbuild: the main process, the preload and the engine
 * host. The renderer is built by Vite into out/renderer separately.
 *
 *   npx tsx electron/build.ts [outDir]        (or: buildElectron(outDir) from another script)
 *
 * npm packages stay external (resolved from node_modules at run time, where native addons and WASM files
 * live outside the asar archive); only the project's own TypeScript is bundled.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron 38 runs Node 22 and Chromium 140. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

/**
 * ES module bundles get CommonJS's require/__filename/__dirname, so a `require()` of an external package
 * that esbuild keeps (its __require shim) works. The project's sources declare none of these names.
 */
const ESM_BANNER = [
  "import { createRequire as __dcCreateRequire } from 'node:module';",
  "import { fileURLToPath as __dcFileURLToPath } from 'node:url';",
  "import { dirname as __dcDirname } from 'node:path';",
  'const require = __dcCreateRequire(import.meta.url);',
  'const __filename = __dcFileURLToPath(import.meta.url);',
  'const __dirname = __dcDirname(__filename);',
].join('\n');

export interface ElectronBundles {
  main: string;
  preload: string;
  host: string;
  /** The data-parallel trainer's gradient worker, loaded by the host's bundle from beside it. */
  gradWorker: string;
}

export function electronBundlePaths(outDir = 'out'): ElectronBundles {
  const out = path.resolve(projectDir, outDir);
  return {
    main: path.join(out, 'main', 'index.mjs'),
    preload: path.join(out, 'preload', 'index.cjs'),
    host: path.join(out, 'host', 'index.mjs'),
    gradWorker: path.join(out, 'host', 'grad-worker.mjs'),
  };
}

export async function buildElectron(outDir = 'out'): Promise<ElectronBundles> {
  const bundles = electronBundlePaths(outDir);
  const common: BuildOptions = {
    absWorkingDir: projectDir,
    bundle: true,
    sourcemap: true,
    logLevel: 'warning',
    legalComments: 'none',
  };
  const nodeEsm: BuildOptions = {
    ...common,
    format: 'esm',
    platform: 'node',
    target: NODE_TARGET,
    packages: 'external',
    external: ['electron'],
    banner: { js: ESM_BANNER },
  };
  await Promise.all([
    build({ ...nodeEsm, entryPoints: ['electron/main/index.ts'], outfile: bundles.main }),
    build({ ...nodeEsm, entryPoints: ['electron/engine/host/main.ts'], outfile: bundles.host }),
    build({ ...nodeEsm, entryPoints: ['electron/engine/train/grad-worker.ts'], outfile: bundles.gradWorker }),
    // A sandboxed preload runs in the renderer with a reduced require (electron, events, timers, url):
    // CommonJS, browser platform, and nothing external but electron.
    build({
      ...common,
      entryPoints: ['electron/preload/index.ts'],
      outfile: bundles.preload,
      format: 'cjs',
      platform: 'browser',
      target: CHROME_TARGET,
      external: ['electron'],
    }),
  ]);
  return bundles;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(path.resolve(invokedPath)).href) {
  const bundles = await buildElectron(process.argv[2]);
  for (const file of [bundles.main, bundles.preload, bundles.host, bundles.gradWorker])
    console.log(path.relative(projectDir, file));
}
