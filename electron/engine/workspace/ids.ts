/** A short readable slug of a name: lower case, letters and digits, dashes between, at most 24 characters. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  return s === '' ? 'artefact' : s;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * An artefact id a person can read and sort: the slug and the local time to the minute (blur-20261128-2130),
 * with -2, -3... when that is taken (two jobs in the same minute).
 */
export function newArtefactId(name: string, taken: ReadonlySet<string>, now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  const base = `${slug(name)}-${stamp}`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
