// Imported right after tsx registers, wherever the engine starts from source: the launcher
// (bin/deepcorrect.mjs), the engine host of browser mode (`--import`, electron/gateway/node-spawner.ts) and
// each training replica's thread (workers/bootstrap.mjs). tsx turns Node's source maps on, and with them on
// Node reads and parses the map of every package it loads: TensorFlow.js's come to 18 MB and cost about
// 0.4 s of every start (0.3 s of a replica's). The engine reports messages, not stack traces, so maps stay
// off unless asked for (node --enable-source-maps, or the flag in NODE_OPTIONS).
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (!flags.includes('--enable-source-maps')) process.setSourceMapsEnabled(false);
