/**
 * Where the Electron binary is, found the way node_modules/electron/index.js finds it (path.txt, written by
 * its postinstall download, names the executable under dist/ or under ELECTRON_OVERRIDE_DIST_PATH), without
 * requiring that module: it throws when the download never happened.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

export function electronBinary(
  electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url)),
  overrideDist = process.env['ELECTRON_OVERRIDE_DIST_PATH'],
): ElectronBinary {
  const pathFile = path.join(electronDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  let binary: string;
  if (overrideDist !== undefined && overrideDist !== '')
    binary = path.join(overrideDist, named ?? 'electron');
  else if (named === undefined)
    return {
      found: false,
      reason: `${pathFile} is missing: the Electron binary was not downloaded (npm install electron with network access)`,
    };
  else binary = path.join(electronDir, 'dist', named);
  return existsSync(binary)
    ? { found: true, path: binary }
    : { found: false, reason: `the Electron binary ${binary} is not there` };
}
