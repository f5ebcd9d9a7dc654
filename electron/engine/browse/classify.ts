/**
 * What a folder or file is, for the folder browser: a workspace, a study, a model, a dataset, a ranking file,
 * or a plain folder or file. Reads only names and small files (manifests, metadata, reports, names files),
 * within the listing's budget; opening the entry in its view checks everything else.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { RankingSchema } from '../../../shared/bridge/schemas.ts';
import { DISTORTIONS, type DistortionKind } from '../../../shared/distortions.ts';
import { MAX_BROWSE_CLASSES } from '../../../shared/folder-browse.ts';
import { isIgnoredName } from '../data/image-folder.ts';
import { MODEL_FILE } from '../models/manifest.ts';
import { METADATA_FILE, validateMetadata } from '../models/metadata.ts';
import { FileProblemError } from '../io/file-error.ts';
import { STUDY_FILE } from '../study/study-folder.ts';
import { MANIFEST_FILE } from '../workspace/paths.ts';
import { unreadableReason, type Allowed } from './allowed.ts';
import { classesText, classifyDataset, type Classified } from './classify-dataset.ts';
import { readSmallJson, type ReadBudget } from './small-file.ts';

export type { Classified } from './classify-dataset.ts';

const METADATA_BYTES = 1024 * 1024;
const MANIFEST_BYTES = 8 * 1024 * 1024;
const REPORT_BYTES = 8 * 1024 * 1024;
const RANKING_BYTES = 4 * 1024 * 1024;
const REPORT_FILE = 'report.json';

const NOT_EXAMINED = 'not examined: this listing has read as much as it may (open the folder to see it)';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function distortionName(kind: unknown): string {
  return typeof kind === 'string' && Object.hasOwn(DISTORTIONS, kind)
    ? DISTORTIONS[kind as DistortionKind].label
    : 'unknown distortion';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function workspace(dir: string, allowed: Allowed, budget: ReadBudget): Promise<Classified> {
  const read = await readSmallJson(path.join(dir, MANIFEST_FILE), allowed, budget, MANIFEST_BYTES);
  if (read === undefined)
    return { kind: 'workspace', detail: `workspace (${MANIFEST_FILE} ${NOT_EXAMINED})` };
  if ('problem' in read)
    return { kind: 'workspace', detail: 'workspace', problem: `${MANIFEST_FILE} ${read.problem}` };
  const manifest = record(read.value);
  const artefacts = Array.isArray(manifest?.['artefacts']) ? (manifest['artefacts'] as unknown[]) : undefined;
  if (manifest === undefined || artefacts === undefined)
    return { kind: 'workspace', detail: 'workspace', problem: `${MANIFEST_FILE} lists no artefacts` };
  const counts = new Map<string, number>();
  for (const a of artefacts) {
    const kind = record(a)?.['kind'];
    if (typeof kind === 'string') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const name = typeof manifest['name'] === 'string' ? `"${manifest['name']}"` : path.basename(dir);
  const held = [...counts].map(([kind, n]) => plural(n, kind)).join(', ');
  return { kind: 'workspace', detail: `workspace ${name}: ${held === '' ? 'empty' : held}` };
}

async function study(
  dir: string,
  names: Set<string>,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified> {
  if (!names.has(REPORT_FILE))
    return {
      kind: 'study',
      detail: 'study, not finished',
      problem: 'it holds no report.json yet: resume the study to finish it',
    };
  const read = await readSmallJson(path.join(dir, REPORT_FILE), allowed, budget, REPORT_BYTES);
  if (read === undefined) return { kind: 'study', detail: `finished study (report.json ${NOT_EXAMINED})` };
  if ('problem' in read) return { kind: 'study', detail: 'study', problem: `report.json ${read.problem}` };
  const config = record(record(read.value)?.['config']);
  if (config === undefined)
    return { kind: 'study', detail: 'study', problem: 'report.json holds no settings' };
  const seeds = Array.isArray(config['seeds']) ? config['seeds'].length : 1;
  const levels = typeof config['levelsName'] === 'string' ? `, ${config['levelsName']} levels` : '';
  return {
    kind: 'study',
    detail: `finished study: ${distortionName(config['kind'])}${levels}, ${plural(seeds, 'seed')}`,
  };
}

async function model(
  dir: string,
  names: Set<string>,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified> {
  if (!names.has(METADATA_FILE))
    return {
      kind: 'model',
      arch: 'imported',
      detail: `tfjs model without ${METADATA_FILE} (imported when opened)`,
    };
  const file = path.join(dir, METADATA_FILE);
  const read = await readSmallJson(file, allowed, budget, METADATA_BYTES);
  if (read === undefined) return { kind: 'model', detail: `model (${METADATA_FILE} ${NOT_EXAMINED})` };
  if ('problem' in read)
    return { kind: 'model', detail: 'model', problem: `${METADATA_FILE} ${read.problem}` };
  try {
    const metadata = validateMetadata(read.value, file);
    const [h, w, c] = metadata.inputShape;
    return {
      kind: 'model',
      arch: metadata.arch,
      detail: `${metadata.arch} model, ${h}×${w}×${c} input, ${classesText(metadata.classes)}`,
      classes: metadata.classes.slice(0, MAX_BROWSE_CLASSES),
      classCount: metadata.classes.length,
    };
  } catch (error) {
    if (!(error instanceof FileProblemError)) throw error;
    return { kind: 'model', detail: 'model', problem: `${METADATA_FILE}: ${error.problem}` };
  }
}

function plainFolder(entries: readonly Dirent[]): Classified {
  const shown = entries.filter((e) => !isIgnoredName(e.name));
  if (shown.length === 0) return { kind: 'folder', detail: 'empty folder' };
  const folders = shown.filter((e) => e.isDirectory()).length;
  const links = shown.filter((e) => e.isSymbolicLink()).length;
  const parts = [plural(folders, 'folder'), plural(shown.length - folders - links, 'file')];
  if (links > 0) parts.push(plural(links, 'link'));
  return { kind: 'folder', detail: parts.join(', ') };
}

/**
 * What a (real, allowed) folder is. `entries` is its listing when the caller has it already. A folder whose
 * listing the system refuses is 'unreadable', with why.
 */
export async function classifyFolder(
  dir: string,
  allowed: Allowed,
  budget: ReadBudget,
  entries?: readonly Dirent[],
): Promise<Classified> {
  let listing = entries;
  if (listing === undefined) {
    try {
      listing = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      return { kind: 'unreadable', detail: `cannot be read: ${unreadableReason(error)}` };
    }
  }
  const names = new Set(listing.map((e) => e.name));
  if (names.has(MANIFEST_FILE)) return workspace(dir, allowed, budget);
  if (names.has(REPORT_FILE) || names.has(STUDY_FILE)) return study(dir, names, allowed, budget);
  if (names.has(METADATA_FILE) || names.has(MODEL_FILE)) return model(dir, names, allowed, budget);
  try {
    return (await classifyDataset(dir, listing, allowed, budget)) ?? plainFolder(listing);
  } catch (error) {
    // A class folder that vanished or turned unreadable while peeked at: say what it is without the peek.
    return { kind: 'folder', detail: `folder (${unreadableReason(error)} while looking inside)` };
  }
}

/** What a (real, allowed) file is: a saved filter ranking (read when small), or a plain file. */
export async function classifyFile(
  file: string,
  size: number,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified> {
  const plain: Classified = { kind: 'file', detail: sizeText(size) };
  if (!file.toLowerCase().endsWith('.json')) return plain;
  const read = await readSmallJson(file, allowed, budget, RANKING_BYTES);
  if (read === undefined || 'problem' in read) return plain;
  const ranking = RankingSchema.safeParse(read.value);
  if (!ranking.success) return plain;
  const r = ranking.data;
  const method = r.method === 'both' ? 'oracle and proxy' : r.method;
  return {
    kind: 'ranking',
    detail: `${method} ranking of ${r.model} under ${distortionName(r.kind)}, ${plural(r.layers.length, 'layer')}`,
  };
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return plural(bytes, 'byte');
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
