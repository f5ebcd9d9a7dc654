/**
 * A form's draft checked with the bridge contract's own schema (`CONTRACT[name].input`), so the UI never keeps a
 * copy of a limit: each issue becomes one sentence about its field that names the limit, read off the schema.
 */
import { z } from 'zod';

/**
 * How a form names a field, keyed by its path in the request's input, dot-joined ('optimizer.momentum'); '*'
 * stands for any entry of a list ('fractions.*').
 */
export type FieldLabel =
  | string
  | {
      label: string;
      /** The whole message when the field is empty (no folder chosen, no layer ticked). */
      missing?: string;
      /** What leaving an optional number empty means ("all"), said after its range. */
      empty?: string;
    };
export type FieldLabels = Readonly<Record<string, FieldLabel>>;

/** The request's input as the schema outputs it, or a message per field in the labels' order and the first. */
export type CheckedDraft<T> =
  | { ok: true; input: T; fields: Record<string, never>; first: null }
  | { ok: false; input: null; fields: Record<string, string>; first: string };

/** Checks a draft of a request's input; messages follow the order of `labels`, unlabelled issues last. */
export function checkDraft<S extends z.ZodType>(
  schema: S,
  draft: unknown,
  labels: FieldLabels,
): CheckedDraft<z.output<S>> {
  const parsed = schema.safeParse(draft);
  if (parsed.success) return { ok: true, input: parsed.data, fields: {}, first: null };
  const found: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.');
    const label = labels[key] ?? labels[issue.path.map((k) => (typeof k === 'number' ? '*' : k)).join('.')];
    found[key] ??= message(issue, label, leafAt(schema, issue.path), valueAt(draft, issue.path));
  }
  const keys = [...Object.keys(labels).filter((k) => k in found), ...Object.keys(found)];
  const fields = Object.fromEntries(keys.map((k) => [k, found[k] as string]));
  return { ok: false, input: null, fields, first: Object.values(fields)[0] as string };
}

function message(
  issue: z.core.$ZodIssue,
  text: FieldLabel | undefined,
  leaf: z.ZodType | undefined,
  value: unknown,
) {
  if (text === undefined) return `${issue.path.join('.') || 'The request'}: ${issue.message}`;
  const { label, missing, empty } = typeof text === 'string' ? { label: text } : text;
  const blank = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  if (missing !== undefined && blank) return missing;
  if (leaf instanceof z.ZodNumber)
    return `${label} must be ${numberRange(leaf)}${empty ? ` (or empty for ${empty})` : ''}.`;
  const { min, max } = lengths(leaf);
  if (leaf instanceof z.ZodArray && min !== undefined && max !== undefined)
    return `${label} must have from ${count(min)} to ${count(max)} entries.`;
  if (issue.code === 'too_big' && issue.origin === 'string')
    return `${label} is too long (${count(Number(issue.maximum))} characters at most).`;
  if (issue.code === 'invalid_value') return `${label} must be one of ${issue.values.join(', ')}.`;
  return `${label} is not valid (${issue.message}).`;
}

/** The schema of the field at a path: through objects, optionals, arrays, records and (the first option with it) unions. */
export function leafAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let at: z.ZodType | undefined = schema;
  for (const key of [...path, null]) {
    while (at instanceof z.ZodOptional || at instanceof z.ZodNullable || at instanceof z.ZodDefault)
      at = at.unwrap() as z.ZodType;
    if (key === null || at === undefined) return at;
    if (at instanceof z.ZodUnion)
      at = (at.options as z.ZodType[]).map((o) => leafAt(o, [key])).find((o) => o !== undefined);
    else if (at instanceof z.ZodObject) at = (at.shape as Record<PropertyKey, z.ZodType>)[key];
    else if (at instanceof z.ZodArray) at = at.element as z.ZodType;
    else if (at instanceof z.ZodRecord) at = at.valueType as z.ZodType;
    else return undefined;
  }
  return at;
}

function valueAt(draft: unknown, path: readonly PropertyKey[]): unknown {
  let at = draft;
  for (const key of path)
    at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

/** The definitions of a schema's checks (bounds, formats), which zod keeps on each check. */
function checkDefs(schema: z.ZodType | undefined): Record<string, unknown>[] {
  return (schema?._zod.def.checks ?? []).map((c) => c._zod.def as unknown as Record<string, unknown>);
}

function lengths(schema: z.ZodType | undefined): { min?: number; max?: number } {
  const out: { min?: number; max?: number } = {};
  for (const d of checkDefs(schema)) {
    if (d['check'] === 'min_length') out.min = Number(d['minimum']);
    if (d['check'] === 'max_length') out.max = Number(d['maximum']);
  }
  return out;
}

const count = (n: number): string => n.toLocaleString('en-US');

interface Bound {
  value: number;
  inclusive: boolean;
}
function bounds(schema: z.ZodType | undefined): { lo?: Bound; hi?: Bound } {
  const out: { lo?: Bound; hi?: Bound } = {};
  for (const d of checkDefs(schema)) {
    const bound = { value: Number(d['value']), inclusive: d['inclusive'] === true };
    if (d['check'] === 'greater_than') out.lo = bound;
    if (d['check'] === 'less_than') out.hi = bound;
  }
  return out;
}

/**
 * The min and max attributes of the number input for the field at `path` (dot-joined), read off the schema; an
 * exclusive bound stands as the attribute too (the field's message says it is excluded).
 */
export function inputBounds(schema: z.ZodType, path: string): { min?: number; max?: number } {
  const { lo, hi } = bounds(leafAt(schema, path.split('.')));
  return { ...(lo === undefined ? {} : { min: lo.value }), ...(hi === undefined ? {} : { max: hi.value }) };
}

/** "a whole number from 1 to 500", "a whole number, 1 or more", "more than 0 and at most 10", "from 0 to 0.5". */
export function numberRange(schema: z.ZodNumber): string {
  const { lo, hi } = bounds(schema);
  const show = (n: number): string => (Number.isInteger(n) ? count(n) : String(n));
  if (schema.isInt) {
    if (lo === undefined)
      return hi === undefined ? 'a whole number' : `a whole number up to ${show(hi.value)}`;
    return hi === undefined
      ? `a whole number, ${show(lo.value)} or more`
      : `a whole number from ${show(lo.value)} to ${show(hi.value)}`;
  }
  const above =
    lo === undefined ? '' : lo.inclusive ? `at least ${show(lo.value)}` : `more than ${show(lo.value)}`;
  const below =
    hi === undefined ? '' : hi.inclusive ? `at most ${show(hi.value)}` : `less than ${show(hi.value)}`;
  if (lo?.inclusive === true && hi?.inclusive === true) return `from ${show(lo.value)} to ${show(hi.value)}`;
  return [above, below].filter((s) => s !== '').join(' and ') || 'a number';
}
