/**
 * The option a mistyped one most likely meant. Commander's own suggestion needs the two names to share more
 * than 40% of their letters, so it says nothing for `--input` against `--in`; here an option that begins the
 * typed name (or that the typed name begins) counts as close too.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The closest of `candidates` (long flags such as "--in") to the typed `flag`, by edit distance; ties are all
 * returned. Empty when none is close: within a third of the longer name's letters (at least 1), or a prefix of
 * the other name of two letters or more.
 */
export function closestOptions(flag: string, candidates: readonly string[]): string[] {
  const typed = flag.replace(/^--?/, '').replace(/=.*$/, '');
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const name = candidate.replace(/^--?/, '');
    if (name.length < 2 || name === typed) continue;
    const distance = editDistance(typed, name);
    const prefix = typed.startsWith(name) || name.startsWith(typed);
    const close = distance <= Math.max(1, Math.floor(Math.max(typed.length, name.length) / 3));
    if (!close && !(prefix && Math.min(typed.length, name.length) >= 2)) continue;
    if (distance < best) {
      best = distance;
      found = [candidate];
    } else if (distance === best) found.push(candidate);
  }
  return found.sort();
}

/** " (did you mean --in?)", " (did you mean --a or --b?)" or "". */
export function suggestionFor(flag: string, candidates: readonly string[]): string {
  const found = closestOptions(flag, candidates);
  if (found.length === 0) return '';
  const list = found.length === 1 ? found[0] : `${found.slice(0, -1).join(', ')} or ${found.at(-1)}`;
  return ` (did you mean ${list}?)`;
}
