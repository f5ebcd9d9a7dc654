/**
 * Runs the engine host (out/host/index.mjs) in an Electron utilityProcess: a Node process of its own, so a
 * crash or an out-of-memory in a job ends that process only; the EngineClient then fails its jobs and
 * starts a new one. The utility process talks through process.parentPort (structured clones, so typed
 * arrays cross as bytes).
 */
import { createInterface } from 'node:readline';
import { utilityProcess, type UtilityProcess } from 'electron';
import type { HostProcess, HostSpawner } from '../gateway/engine-client.ts';
import type { Log } from './log.ts';

export const ENGINE_SERVICE_NAME = 'DeepCorrect engine';

export function utilityHostSpawner(entry: string, log: Log): HostSpawner {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: ENGINE_SERVICE_NAME,
      stdio: 'pipe',
      env: { ...process.env, DEEPCORRECT_MODE: 'desktop' },
    });
    return asHostProcess(child, log);
  };
}

function asHostProcess(child: UtilityProcess, log: Log): HostProcess {
  let alive = true;
  for (const stream of [child.stdout, child.stderr])
    if (stream !== null) createInterface({ input: stream }).on('line', (line) => log(`engine: ${line}`));
  child.on('error', (type, location) => log(`engine host error: ${type} at ${location}`));
  child.on('exit', () => {
    alive = false;
  });
  return {
    postMessage(message: unknown): void {
      // A message to a host that has just died is dropped: the EngineClient fails its request on exit.
      if (alive) child.postMessage(message);
    },
    onMessage(listener: (message: unknown) => void): void {
      child.on('message', (message: unknown) => listener(message));
    },
    onExit(listener: (code: number | null, signal?: string | null) => void): void {
      child.on('exit', (code) => listener(code, null));
    },
    kill(): void {
      if (alive) child.kill();
    },
  };
}
