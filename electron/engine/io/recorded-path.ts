/**
 * Paths in what the engine records (model provenance, study.json, report.json, checkpoints, commands): none
 * names a folder of the machine that made it unless asked (--record-paths), so shipped files and shared
 * reports do not reveal the author's home folder, and a moved or second checkout reads its own resources.
 *
 * - a path inside the app's resources: `resources/<path inside>` (bundled, resolved against the running
 *   app's resources folder);
 * - a path inside the record's own folder (a workspace, a study folder): relative to it, `./` first when it
 *   would otherwise start with `resources/`;
 * - anything else: its folder name alone (not resolvable: it says where it came from, not where it is);
 * - with `absolute`: the absolute path, as before. Absolute records made earlier are read as they are.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../resources.ts';
import { isInside } from './is-inside.ts';

/** How paths are recorded, and what they are read against. */
export interface PathRecording {
  /** Record absolute paths (--record-paths). */
  absolute?: boolean;
  /** The folder the record belongs to (a workspace, or a study folder outside one). */
  within?: string;
  /** The app's resources folder (default resourcesDir()). */
  resources?: string;
}

/** The first segment of a bundled record. */
export const BUNDLED_ROOT = 'resources';

function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

/** `target` relative to `root` in forward slashes, or undefined when it lies outside (also through links). */
function relativeInside(root: string, target: string): string | undefined {
  const pairs: [string, string][] = [
    [root, target],
    [real(root), real(target)],
  ];
  for (const [r, t] of pairs) if (isInside(r, t)) return path.relative(r, t).split(path.sep).join('/');
  return undefined;
}

function startsBundled(p: string): boolean {
  return p === BUNDLED_ROOT || p.startsWith(`${BUNDLED_ROOT}/`);
}

/** The form of `target` to record, as the module's comment says. */
export function recordPath(target: string, how: PathRecording = {}): string {
  const absolute = path.resolve(target);
  if (how.absolute === true) return absolute;
  const bundled = relativeInside(how.resources ?? resourcesDir(), absolute);
  if (bundled !== undefined) return bundled === '' ? BUNDLED_ROOT : `${BUNDLED_ROOT}/${bundled}`;
  const inside = how.within === undefined ? undefined : relativeInside(path.resolve(how.within), absolute);
  // The record's own folder itself (a study's --out) is named by its folder name, not '.'.
  const recorded = inside === undefined || inside === '' ? path.basename(absolute) : inside;
  if (recorded === '') return '.';
  return startsBundled(recorded) ? `./${recorded}` : recorded;
}

/** Whether a record names a bundled resource. */
export function isBundledRecord(recorded: string): boolean {
  return startsBundled(recorded.replaceAll('\\', '/'));
}

/**
 * Where a recorded path points on this machine: an absolute record as it is, a bundled one in this app's
 * resources, any other relative to the record's folder (`within`, default the working folder).
 */
export function resolveRecordedPath(recorded: string, how: Omit<PathRecording, 'absolute'> = {}): string {
  if (path.isAbsolute(recorded)) return path.normalize(recorded);
  const slashed = recorded.replaceAll('\\', '/');
  if (startsBundled(slashed))
    return path.join(how.resources ?? resourcesDir(), ...slashed.split('/').slice(1));
  return path.resolve(how.within ?? '.', ...slashed.split('/'));
}

/**
 * The form of `target` to compare with a record made earlier: absolute when that record is (a folder made
 * before paths were portable, or with --record-paths), else as recordPath gives it.
 */
export function comparableRecord(earlier: string, target: string, how: PathRecording = {}): string {
  return path.isAbsolute(earlier) ? path.resolve(target) : recordPath(target, how);
}

/** Whether two records name the same place once resolved (an old absolute record against a portable one). */
export function sameRecordedPlace(a: string, b: string, how: Omit<PathRecording, 'absolute'> = {}): boolean {
  if (a === b) return true;
  const ra = resolveRecordedPath(a, how);
  const rb = resolveRecordedPath(b, how);
  return ra === rb || real(ra) === real(rb);
}

/**
 * A command line with each absolute path in it (an argument, or an `--option=value`'s value) in its
 * recorded form: the command still says what was run, without the folders it was run in.
 */
export function recordCommand(command: string, how: PathRecording = {}): string {
  if (how.absolute === true) return command;
  return command.replace(/"(?:[^"\\]|\\.)*"|\S+/g, (word) => {
    const quoted = word.startsWith('"') && word.endsWith('"') && word.length > 1;
    const bare = quoted ? (JSON.parse(word) as string) : word;
    const eq = bare.startsWith('--') ? bare.indexOf('=') : -1;
    const [prefix, value] = eq < 0 ? ['', bare] : [bare.slice(0, eq + 1), bare.slice(eq + 1)];
    if (!path.isAbsolute(value)) return word;
    const replaced = `${prefix}${recordPath(value, how)}`;
    return /[\s"']/.test(replaced) ? JSON.stringify(replaced) : replaced;
  });
}
