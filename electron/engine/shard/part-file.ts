import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { coverageProblem, firstDifference, shardText, type Shard } from '../../../shared/shard.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { fsProblem } from '../data/errors.ts';

/** What the parts of one sharded job are of: a ranking or an evaluation. */
export type PartKind = 'rank' | 'evaluate';

const NOUN: Record<PartKind, string> = { rank: 'ranking', evaluate: 'evaluation' };

export const PART_FORMAT = 'deepcorrect-part';
export const PART_VERSION = 1;

/**
 * One shard's output. `settings` holds everything that must be equal across the parts of one job (model
 * weights, dataset, levels, seed...); `body` what the shard computed. Written whole or not at all, so a task
 * killed mid-shard leaves no file a merge would take.
 */
export interface Part<Settings, Body> {
  format: typeof PART_FORMAT;
  version: typeof PART_VERSION;
  kind: PartKind;
  shard: Shard;
  settings: Settings;
  body: Body;
  backend: string;
  seconds: number;
}

/** A set of parts that cannot be merged: the message names the files, and the setting or shard at fault. */
export class PartsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartsError';
  }
}

export async function writePart<S, B>(file: string, part: Part<S, B>): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(part)}\n`);
}

/** A part read back, with the file it came from. */
export interface ReadPart<S, B> extends Part<S, B> {
  file: string;
}

async function readPart<S, B>(file: string, kind: PartKind): Promise<ReadPart<S, B>> {
  const shown = path.resolve(file);
  let text: string;
  try {
    text = await readFile(shown, 'utf8');
  } catch (error) {
    throw new PartsError(`${shown}: ${fsProblem(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PartsError(
      `${shown}: not JSON (${(error as Error).message}); a part is written whole, so this file was not made by --shard`,
    );
  }
  const v = value as Partial<Part<S, B>>;
  if (v.format !== PART_FORMAT || typeof v.kind !== 'string')
    throw new PartsError(
      `${shown}: not a shard's part (the file of 'deepcorrect ${kind} --shard I/N --out FILE')`,
    );
  if (v.kind !== kind)
    throw new PartsError(
      `${shown}: a part of a sharded ${(NOUN as Record<string, string | undefined>)[v.kind] ?? v.kind}, not of a sharded ${NOUN[kind]}`,
    );
  if (v.version !== PART_VERSION)
    throw new PartsError(
      `${shown}: part format version ${String(v.version)}; this engine reads version ${PART_VERSION}`,
    );
  const shard = v.shard;
  if (
    shard === undefined ||
    !Number.isInteger(shard.index) ||
    !Number.isInteger(shard.count) ||
    shard.index < 0 ||
    shard.index >= shard.count
  )
    throw new PartsError(`${shown}: field "shard" is not a shard index and count`);
  if (v.settings === undefined || v.body === undefined)
    throw new PartsError(`${shown}: field "${v.settings === undefined ? 'settings' : 'body'}" is missing`);
  return { ...(v as Part<S, B>), file: shown };
}

const shown = (v: unknown): string => {
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * Reads the parts of one sharded job and checks they make a whole: the same kind, the same settings (the first
 * setting that differs is named, with both files and values), one shard count, and every index exactly once.
 * Returns them in shard order.
 */
export async function readParts<S, B>(files: readonly string[], kind: PartKind): Promise<ReadPart<S, B>[]> {
  if (files.length === 0)
    throw new PartsError(`no parts given: name every part file of the sharded ${NOUN[kind]}`);
  const parts: ReadPart<S, B>[] = [];
  for (const file of files) parts.push(await readPart<S, B>(file, kind));
  const [first] = parts as [ReadPart<S, B>, ...ReadPart<S, B>[]];
  for (const p of parts.slice(1)) {
    if (p.shard.count !== first.shard.count)
      throw new PartsError(
        `the parts split the job differently: ${first.file} is shard ${shardText(first.shard)}, ${p.file} is shard ${shardText(p.shard)}`,
      );
    const d = firstDifference(first.settings, p.settings);
    if (d !== undefined)
      throw new PartsError(
        `the parts come from different runs: setting "${d.path}" is ${shown(d.a)} in ${first.file} but ${shown(d.b)} in ${p.file}`,
      );
    if (p.backend !== first.backend)
      throw new PartsError(
        `the parts ran on different backends (${first.backend} in ${first.file}, ${p.backend} in ${p.file}); a merge of them would not equal one run: rerun them on one backend`,
      );
  }
  const problem = coverageProblem(
    parts.map((p) => p.shard.index),
    first.shard.count,
  );
  if (problem !== undefined) {
    const byIndex = new Map<number, string[]>();
    for (const p of parts) byIndex.set(p.shard.index, [...(byIndex.get(p.shard.index) ?? []), p.file]);
    const twice = [...byIndex.entries()].filter(([, f]) => f.length > 1);
    const where = twice.map(([i, f]) => ` (shard ${i}: ${f.join(' and ')})`).join('');
    throw new PartsError(`the parts are not a whole ${NOUN[kind]}: ${problem}${where}`);
  }
  return parts.sort((a, b) => a.shard.index - b.shard.index);
}
