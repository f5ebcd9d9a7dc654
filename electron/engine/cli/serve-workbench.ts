/** Browser mode's run: loaded only when `serve` or `start` gets past its checks (the gateway, the server). */
import { existsSync } from 'node:fs';
import { EngineClient } from '../../gateway/engine-client.ts';
import { BridgeGate } from '../../gateway/gate.ts';
import { nodeHostSpawner } from '../../gateway/node-spawner.ts';
import { PathPolicy } from '../../gateway/paths.ts';
import { startServer } from '../../serve/server.ts';
import { demoDatasetDir, demoModelDir } from '../resources.ts';
import { demoWorkspaceDir } from '../workspace/demo-dir.ts';
import { appDataDir, rendererDir } from './commands/serve.ts';

/**
 * The folders browser mode may use. Always: the bundled demo dataset and model, read only; the app's data
 * folder and the demo workspace, read and write. Then the `--allow` folders (read and write: the user chose
 * them) and the `--allow-read` ones; with neither, the current folder, read only: run from a checkout, its
 * .git/ and node_modules/ must not be where a typed output path lands.
 */
export function servePaths(opts: { allow?: string[]; allowRead?: string[] }): PathPolicy {
  const paths = new PathPolicy();
  paths.allowRead(demoDatasetDir());
  paths.allowRead(demoModelDir());
  paths.allow(appDataDir());
  // The demo workspace (created on first run by the engine host, which reads the same folder): inside the data
  // folder unless DEEPCORRECT_DEMO_WORKSPACE moves it.
  paths.allow(demoWorkspaceDir());
  for (const folder of opts.allow ?? []) paths.allow(folder);
  for (const folder of opts.allowRead ?? []) paths.allowRead(folder);
  if (opts.allow === undefined && opts.allowRead === undefined) paths.allowRead(process.cwd());
  return paths;
}

/** Runs browser mode until Ctrl-C: the engine host, the gate, the server; prints the URL once all are up. */
export async function serveWorkbench(opts: {
  port: number;
  allow?: string[];
  allowRead?: string[];
  backend?: string | undefined;
}): Promise<void> {
  const started = performance.now();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const renderer = rendererDir();
  if (!existsSync(`${renderer}index.html`)) {
    throw new Error(`the UI is not built (${renderer} is missing): run \`npm run build\` first`);
  }
  if (opts.backend !== undefined) process.env.DEEPCORRECT_BACKEND = opts.backend;
  const paths = servePaths(opts);
  const engine = new EngineClient(nodeHostSpawner({ log }), log);
  const gate = new BridgeGate({ engine, paths, mode: 'browser', log });
  const server = await startServer({ gate, rendererDir: renderer, port: opts.port, log });
  await engine.ready;
  process.stdout.write(
    `DeepCorrect Workbench (browser mode) is ready in ${((performance.now() - started) / 1000).toFixed(1)} s:\n  ${server.url}\n` +
      `folders it may use (read and write): ${paths.writable().join(', ') || 'none'}\n` +
      `folders it may use (read only): ${paths.readOnly().join(', ') || 'none'}\nCtrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await engine.close();
}
