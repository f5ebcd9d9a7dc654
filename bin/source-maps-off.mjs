// Imported right after tsx registers: by bin/deepcorrect.mjs, and with `--import` by the engine host that
// `deepcorrect serve` starts (electron/gateway/node-spawner.ts). tsx turns Node's source maps on, and with
// them on Node reads and parses the map of every package it loads: TensorFlow.js's come to 18 MB and cost
// about 0.4 s of every start. The CLI and the host report messages, not stack traces, so maps stay off
// unless asked for (node --enable-source-maps, or the flag in NODE_OPTIONS).
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (!flags.includes('--enable-source-maps')) process.setSourceMapsEnabled(false);
