import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostProcess, HostSpawner } from './engine-client.ts';

const HOST_ENTRY = fileURLToPath(new URL('../engine/host/main.ts', import.meta.url));
/**
 * tsx by location: a bare `--import tsx` is looked up from the working folder, so `deepcorrect serve` started
 * from a data folder without node_modules had a host that crashed at every start.
 */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Turns off the source maps tsx turns on, as the CLI does: reading TensorFlow.js's costs each start 0.4 s. */
const SOURCE_MAPS_OFF = new URL('../engine/source-maps-off.mjs', import.meta.url).href;

/**
 * Starts the engine host as a Node child process running the TypeScript entry through tsx (browser mode, the
 * CLI and tests). 'advanced' serialization carries typed arrays as structured clones.
 */
export function nodeHostSpawner(options: {
  log: (line: string) => void;
  maxOldSpaceMb?: number;
}): HostSpawner {
  return () => {
    const child = fork(HOST_ENTRY, [], {
      execArgv: [
        '--import',
        TSX,
        '--import',
        SOURCE_MAPS_OFF,
        ...(options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : []),
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, DEEPCORRECT_MODE: 'browser' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => options.log(`engine: ${line}`));
    }
    const host: HostProcess = {
      pid: child.pid,
      postMessage: (m) => {
        if (child.connected) child.send(m as object);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
    return host;
  };
}
