// The engine's processes start with Node's source maps off (electron/engine/source-maps-off.mjs): tsx turns
// them on, and with them on every start read TensorFlow.js's 18 MB of maps. Checked in a child started the way
// the launcher starts (tsx registered, then the module), and that --enable-source-maps still turns them on.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** process.sourceMapsEnabled after tsx registers and the module runs, as bin/deepcorrect.mjs does. */
async function mapsAfterStart(nodeFlags: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const script = [
    "import { register } from 'tsx/esm/api';",
    'register();',
    'const during = process.sourceMapsEnabled;',
    "await import('./electron/engine/source-maps-off.mjs');",
    'console.log(`${during} ${process.sourceMapsEnabled}`);',
  ].join('\n');
  const { stdout } = await run('node', [...nodeFlags, '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
  });
  return stdout.trim();
}

describe('source maps in the engine processes', () => {
  it('are off once the module ran, though tsx turned them on', async () => {
    expect(await mapsAfterStart([])).toBe('true false');
  });

  it('stay on when asked for, on the command line or in NODE_OPTIONS', async () => {
    expect(await mapsAfterStart(['--enable-source-maps'])).toBe('true true');
    expect(await mapsAfterStart([], { NODE_OPTIONS: '--enable-source-maps' })).toBe('true true');
  });
});
