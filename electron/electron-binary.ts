/**
 * Where the Electron binary is, found the way node_modules/electron/index.js finds it (path.txt, written by
 * its install step, names the executable under dist/ or under ELECTRON_OVERRIDE_DIST_PATH), without
 * requiring that module: it throws when the download never happened.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ElectronBinary =
  | { found: true; path: string }
  | {
      found: false;
      reason: string;
      /** The package is there, so its install step can still fetch the binary. */ fetchable: boolean;
    };

export const ELECTRON_DIR = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

export function electronBinary(
  electronDir = ELECTRON_DIR,
  overrideDist = process.env['ELECTRON_OVERRIDE_DIST_PATH'],
): ElectronBinary {
  const installed = existsSync(path.join(electronDir, 'package.json'));
  const pathFile = path.join(electronDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  let binary: string;
  if (overrideDist !== undefined && overrideDist !== '')
    binary = path.join(overrideDist, named ?? 'electron');
  else if (!installed)
    return {
      found: false,
      fetchable: false,
      // npm drops an optional dependency whose install step failed (npm older than 11.19 runs Electron's download then).
      reason: `the electron package is not installed (${electronDir}): npm drops it when its binary download fails`,
    };
  else if (named === undefined)
    return {
      found: false,
      fetchable: true,
      reason: `${pathFile} is missing: Electron's binary has not been downloaded`,
    };
  else binary = path.join(electronDir, 'dist', named);
  return existsSync(binary)
    ? { found: true, path: binary }
    : { found: false, fetchable: installed, reason: `the Electron binary ${binary} is not there` };
}
