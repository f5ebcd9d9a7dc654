import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isInside } from '../engine/io/is-inside.ts';
import { BridgeError } from '../../shared/bridge/protocol.ts';

/** What a request does with a path: reading needs any allowed folder, writing one the user let it write to. */
export type PathAccess = 'read' | 'write';

/** As many links as Linux follows in one path before it answers ELOOP. */
const MAX_LINKS = 40;

const SEPARATORS = process.platform === 'win32' ? /[\\/]/ : /\//;

function fsCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
}

/**
 * Where a path really leads, resolved the way the OS resolves it: component by component in order, each link
 * replaced by its target on the spot, so a `..` after a link climbs from where the link leads (a lexical
 * normalisation first would climb from the link's own folder, and judge `<allowed>/link/x/../..` as inside).
 *
 * A path may not exist yet (an output folder): below its longest existing prefix, resolved for real, the rest
 * is taken as written, minus `.` and empty segments. A `..` there is refused: it would climb out of whatever
 * lies there when the engine writes, which is not knowable now. A dangling link resolves to where it points,
 * which is where a write through it would land.
 *
 * Throws a BridgeError for paths no OS call would follow: a NUL byte, a loop of links, a file with more path
 * after it, a `..` below a missing folder, a component that cannot be looked at (EACCES).
 */
export function realLocation(target: string): string {
  if (target.includes('\0')) throw new BridgeError('invalid-input', 'a path must not hold a NUL byte');
  const absolute = path.isAbsolute(target) ? target : `${process.cwd()}${path.sep}${target}`;
  let root = path.parse(absolute).root;
  let resolved = root;
  // The segments still to walk, first one last (pop is cheap; a link's target is pushed on in front).
  const pending = absolute.slice(root.length).split(SEPARATORS).reverse();
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const segment = pending.pop() as string;
    if (segment === '' || segment === '.') continue;
    if (missing) {
      if (segment === '..')
        throw new BridgeError(
          'invalid-input',
          `${target} climbs (..) out of ${resolved}, which does not exist yet: name the folder without ..`,
        );
      resolved = path.join(resolved, segment);
      continue;
    }
    // `resolved` is a real folder (no link in it): its parent is where `..` leads, as for the OS.
    if (segment === '..') {
      resolved = path.dirname(resolved);
      continue;
    }
    const next = path.join(resolved, segment);
    let stats: Stats;
    try {
      stats = lstatSync(next);
    } catch (error) {
      const code = fsCode(error);
      if (code !== 'ENOENT')
        throw new BridgeError('not-allowed', `${target} cannot be checked: ${next} gives ${code}`);
      missing = true;
      resolved = next;
      continue;
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_LINKS)
        throw new BridgeError('invalid-input', `${target} follows more than ${MAX_LINKS} links (a loop?)`);
      const link = readlinkSync(next);
      if (link.includes('\0')) throw new BridgeError('invalid-input', `${next} is a link no path can follow`);
      if (path.isAbsolute(link)) {
        root = path.parse(link).root;
        resolved = root;
        pending.push(...link.slice(root.length).split(SEPARATORS).reverse());
      } else {
        pending.push(...link.split(SEPARATORS).reverse());
      }
      continue;
    }
    // A file followed by anything, even a trailing separator, is ENOTDIR for the OS.
    if (!stats.isDirectory() && pending.length > 0)
      throw new BridgeError('invalid-input', `${target} goes on past ${next}, which is not a folder`);
    resolved = next;
  }
  return resolved;
}

/**
 * The folders the user has allowed the engine to use, each readable or readable and writable: what they chose
 * in a dialog (desktop; an output folder is writable, a dataset or model opened is only read), what they passed
 * to `deepcorrect serve --allow` or `--allow-read` (browser mode), the bundled resources (read-only) and the
 * app's own data folder. A request naming any other path is refused, links included: a path is judged by
 * where it really leads, and that real location is what the engine gets (see BridgeGate).
 */
export class PathPolicy {
  /** Real location of each root, and whether it may be written to. */
  private readonly roots = new Map<string, PathAccess>();

  /** A folder (or file) the engine may read and write. */
  allow(root: string): void {
    this.roots.set(realLocation(root), 'write');
  }

  /** A folder (or file) the engine may only read; a folder already writable stays so. */
  allowRead(root: string): void {
    const real = realLocation(root);
    if (!this.roots.has(real)) this.roots.set(real, 'read');
  }

  /** Every allowed folder, readable or writable. */
  allowed(): string[] {
    return [...this.roots.keys()];
  }

  /** Every allowed folder with its access, for the folder browser (fs.browse) to list from. */
  entries(): { path: string; access: PathAccess }[] {
    return [...this.roots].map(([root, access]) => ({ path: root, access }));
  }

  /** The folders the engine may write to (and read). */
  writable(): string[] {
    return this.allowed().filter((root) => this.roots.get(root) === 'write');
  }

  /** The folders the engine may only read. */
  readOnly(): string[] {
    return this.allowed().filter((root) => this.roots.get(root) === 'read');
  }

  /**
   * The path's real location, checked for the access asked; a BridgeError 'not-allowed' otherwise, saying
   * whether it lies outside every allowed folder or only outside the writable ones, and how to allow it.
   * Folders may nest: a path is writable when any writable folder holds it (a folder the user allowed for
   * writing stays so with everything in it, a read-only one inside it included).
   */
  check(target: string, access: PathAccess): string {
    const real = realLocation(target);
    const leads = real === target ? '' : ` (it leads to ${real})`;
    const within = this.allowed().filter((root) => isInside(root, real));
    if (within.some((root) => access === 'read' || this.roots.get(root) === 'write')) return real;
    if (within.length > 0)
      throw new BridgeError(
        'not-allowed',
        `${target} is in a folder this session may only read${leads} (${within.join(', ')}); it may write only in ${this.writable().join(', ') || 'no folder'}: choose an output folder with Choose… in the desktop app, or start \`deepcorrect serve --allow <folder>\` to let it write there`,
      );
    throw new BridgeError(
      'not-allowed',
      `${target} is outside the folders this session may use${leads} (read and write: ${this.writable().join(', ') || 'none'}; read only: ${this.readOnly().join(', ') || 'none'}): choose it with Open… in the desktop app, or start \`deepcorrect serve --allow <folder>\` (--allow-read <folder> to let it only read there)`,
    );
  }
}
