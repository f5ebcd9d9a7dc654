/**
 * Where the built app's parts lie, relative to the main bundle (out/main/index.mjs), in a checkout and in a
 * packaged app. Pure, so the tests check it; nothing here reads app.getAppPath(), which names the main
 * script's folder when Electron is started on a file (as the Playwright suite does).
 */
import path from 'node:path';

export interface AppLayout {
  /** out/preload/index.cjs: CommonJS, because sandboxed preloads cannot be ES modules. */
  preload: string;
  /** out/renderer: the only folder the app:// protocol serves. */
  rendererRoot: string;
  /** out/host/index.mjs: the engine host, run in a utilityProcess. */
  hostEntry: string;
  /** The bundled resources (the demo dataset): on the path allow-list from the start. */
  resources: string;
  /** The documentation folder that Help > Open docs folder shows. */
  docs: string;
}

export function appLayout(mainDir: string, packaged: boolean, resourcesPath: string): AppLayout {
  const outDir = path.resolve(mainDir, '..');
  const projectDir = path.resolve(outDir, '..');
  return {
    preload: path.join(outDir, 'preload', 'index.cjs'),
    rendererRoot: path.join(outDir, 'renderer'),
    hostEntry: path.join(outDir, 'host', 'index.mjs'),
    // electron-builder copies resources/ (and docs/, when listed in extraResources) next to app.asar.
    resources: packaged ? path.join(resourcesPath, 'resources') : path.join(projectDir, 'resources'),
    docs: packaged ? path.join(resourcesPath, 'docs') : path.join(projectDir, 'docs'),
  };
}
