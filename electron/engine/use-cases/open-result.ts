/**
 * result.open: a result a job saved into a workspace (an evaluation or an oracle experiment, see
 * shared/saved-result.ts), read and checked against its schema, a bad file refused naming the file and its
 * first wrong field. The model's and dataset's recorded paths are resolved against the workspace the file lies
 * in (evaluations/<id>.json: two folders up) where they still lead to something.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SavedResultSchema } from '../../../shared/saved-result.ts';
import { FileProblemError, reason } from '../io/file-error.ts';
import { resolveRecordedPath } from '../io/recorded-path.ts';
import type { UseCase } from './context.ts';

function fieldPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Where a recorded path leads now, or null when nothing is there (a folder's name alone leads nowhere). */
function located(recorded: string, root: string): string | null {
  const at = resolveRecordedPath(recorded, { within: root });
  return existsSync(at) ? at : null;
}

export const openResultCase: UseCase<'result.open'> = {
  run: async (input) => {
    const file = path.resolve(input.path);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new FileProblemError(
        file,
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder, not a saved result (evaluations/<id>.json or experiments/<id>.json)'
            : error instanceof SyntaxError
              ? `not JSON (${reason(error)})`
              : `unreadable (${code ?? reason(error)})`,
        { cause: error },
      );
    }
    const parsed = SavedResultSchema.safeParse(value);
    if (!parsed.success) {
      const [first] = parsed.error.issues;
      const field =
        first === undefined || first.path.length === 0 ? 'the file' : `field "${fieldPath(first.path)}"`;
      const message = (first?.message ?? 'unknown problem').replace(/^Invalid input: /, '');
      throw new FileProblemError(
        file,
        `not a saved evaluation or oracle experiment: ${/received undefined$/.test(message) ? `${field} is missing` : `${field}: ${message}`}`,
      );
    }
    const root = path.dirname(path.dirname(file));
    return {
      path: file,
      saved: parsed.data,
      modelPath: located(parsed.data.model.path, root),
      datasetPath: located(parsed.data.dataset.path, root),
    };
  },
};
