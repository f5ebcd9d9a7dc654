// Worker threads start as plain Node: load tsx first so the TypeScript entry named in workerData runs as is.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import('../source-maps-off.mjs');
await import(workerData.entry);
