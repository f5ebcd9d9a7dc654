import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { ExperimentSchema, RankingSchema } from '../../../shared/bridge/schemas.ts';

export type SavedRanking = z.infer<typeof RankingSchema>;
export type SavedExperiment = z.infer<typeof ExperimentSchema>;

/** A ranking file that cannot be used: the message names the file and what is wrong with it. */
export class RankingFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RankingFileError';
  }
}

function fieldPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/**
 * A saved filter ranking (the file of `deepcorrect rank --out`, a workspace's rankings/<id>.json or a study's
 * ranking.json), checked against the ranking schema; a bad one is refused naming the file and its first wrong
 * field. The oracle experiment saved with it (`deepcorrect rank --experiment --out`) comes back beside it.
 */
export async function openRanking(
  file: string,
): Promise<{ path: string; ranking: SavedRanking; experiment?: SavedExperiment }> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RankingFileError(
      resolved,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? "is a folder, not a ranking file (a study's ranking is its ranking.json)"
          : `unreadable (${code ?? String(error)})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RankingFileError(resolved, `not JSON (${(error as Error).message})`);
  }
  const parsed = RankingSchema.safeParse(value);
  if (!parsed.success) throw new RankingFileError(resolved, invalid(parsed.error.issues, []));
  const saved = (value as { experiment?: unknown }).experiment;
  if (saved === undefined) return { path: resolved, ranking: parsed.data };
  const experiment = ExperimentSchema.safeParse(saved);
  if (!experiment.success)
    throw new RankingFileError(resolved, invalid(experiment.error.issues, ['experiment']));
  return { path: resolved, ranking: parsed.data, experiment: experiment.data };
}

/** The refusal for a file that fails the schema at `under` (its first wrong field and how many more). */
function invalid(issues: readonly z.core.$ZodIssue[], under: readonly PropertyKey[]): string {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  let problem = 'unknown problem';
  if (first !== undefined) {
    const at = [...under, ...first.path];
    const field = at.length === 0 ? 'the file' : `field "${fieldPath(at)}"`;
    const message = first.message.replace(/^Invalid input: /, '');
    problem = /received undefined$/.test(message) ? `${field} is missing` : `${field}: ${message}`;
  }
  return `not a valid filter ranking (the format of 'deepcorrect rank --out'): ${problem}${more}`;
}
