import { z } from 'zod';
import {
  ARTEFACT_KINDS,
  ARTEFACT_KINDS_V1,
  WORKSPACE_FORMAT,
  WORKSPACE_VERSION,
  type WorkspaceManifest,
} from '../../../shared/workspace.ts';
import { WorkspaceError } from './errors.ts';
import { artefactPathProblem, relativePathProblem } from './paths.ts';

const pathSchema = (problemOf: (p: string) => string | undefined): z.ZodString =>
  z.string().superRefine((p, ctx) => {
    const problem = problemOf(p);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `path "${p}" ${problem}` });
  });

const RelativePath = pathSchema(relativePathProblem);
/** An artefact's own path: also never the workspace's own files nor a whole kind folder. */
const ArtefactPath = pathSchema(artefactPathProblem);

/** An artefact id: one plain name, so that `<kind folder>/<id>` stays one level below the kind folder. */
export const ArtefactId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not a simple id (letters, digits, . _ -)');

const FileSchema = z.object({
  path: RelativePath,
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 in hex'),
});

const artefactSchema = <K extends readonly [string, ...string[]]>(kinds: K) =>
  z.object({
    id: ArtefactId,
    kind: z.enum(kinds),
    name: z.string(),
    path: ArtefactPath,
    createdAt: z.string(),
    status: z.enum(['complete', 'interrupted']),
    files: z.array(FileSchema),
    provenance: z.record(z.string(), z.unknown()).optional(),
  });

const manifestSchema = <V extends number, K extends readonly [string, ...string[]]>(version: V, kinds: K) =>
  z
    .object({
      format: z.literal(WORKSPACE_FORMAT),
      version: z.literal(version),
      name: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      artefacts: z.array(artefactSchema(kinds)),
    })
    .superRefine((m, ctx) => {
      const seen = new Set<string>();
      m.artefacts.forEach((a, i) => {
        if (seen.has(a.id))
          ctx.addIssue({ code: 'custom', path: ['artefacts', i, 'id'], message: `duplicate id "${a.id}"` });
        seen.add(a.id);
      });
    });

export const ManifestSchema = manifestSchema(WORKSPACE_VERSION, ARTEFACT_KINDS);
/** Version 1: the same fields, without the kinds version 2 added (a v1 build never wrote them). */
export const ManifestV1Schema = manifestSchema(1, ARTEFACT_KINDS_V1);
export type ManifestV1 = z.infer<typeof ManifestV1Schema>;

// Fails to compile if the schema and the shared interface drift apart.
const _schemaFitsInterface = (parsed: z.infer<typeof ManifestSchema>): WorkspaceManifest => parsed;

/** Version 0, the pre-release layout (workspace.json): no status, no file list, studies were 'report's. */
export const ManifestV0Schema = z.object({
  version: z.literal(0).optional(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  artefacts: z.array(
    z.object({
      id: ArtefactId,
      kind: z.enum([...ARTEFACT_KINDS_V1, 'report']),
      name: z.string(),
      path: ArtefactPath,
      createdAt: z.string(),
      provenance: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
export type ManifestV0 = z.infer<typeof ManifestV0Schema>;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`,
    '',
  );
}

/** The id of the artefact entry an issue lies in, when it has one: the entry the user looks for. */
function entryOf(value: unknown, issuePath: readonly PropertyKey[]): string | undefined {
  const [list, index] = issuePath;
  if (list !== 'artefacts' || typeof index !== 'number') return undefined;
  const artefacts =
    typeof value === 'object' && value !== null ? (value as { artefacts?: unknown }).artefacts : undefined;
  const entry: unknown = Array.isArray(artefacts) ? artefacts[index] : undefined;
  const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  const field = issue.path.length === 0 ? 'the manifest' : `field "${fieldPath(issue.path)}"`;
  const message = issue.message.replace(/^Invalid input: /, '');
  const id = entryOf(value, issue.path);
  const entry = id === undefined ? '' : ` (artefact "${id}")`;
  return /received undefined$/.test(message) ? `${field} is missing${entry}` : `${field}: ${message}${entry}`;
}

/** Validates parsed JSON against a schema; the error names the file and the first wrong field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [first] = parsed.error.issues;
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
  throw new WorkspaceError(
    file,
    `not a valid workspace manifest: ${first === undefined ? 'unknown problem' : describe(first, value)}${more}; ` +
      `'deepcorrect workspace check --repair' rebuilds it from the folders`,
  );
}
