#!/usr/bin/env node
// Compares two study folders made by the same command (resources/studies/make-demo-study.sh run twice):
//   node scripts/compare-studies.mjs <folder A> <folder B>
// Every file must be in both; every other file must be byte for byte the same; a JSON file may differ only
// in the durations the engine measures (MEASURED below), and report.html only where those are shown. Prints
// what differs and exits 1 when anything else does. Dates are the same when SOURCE_DATE_EPOCH fixed them.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Keys whose values are measured durations or speeds: they differ from run to run, and from machine to machine. */
const MEASURED = new Set(['seconds', 'imagesPerSecond', 'totalSeconds']);
/** The line of the machine it ran on (the same on one machine). */
const MACHINE = new Set(['device']);

async function files(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The key paths where two JSON values differ, array indices as []. */
function differences(a, b, at, out) {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b) || (Array.isArray(a) && a.length !== b.length)) out.add(at);
    else if (Array.isArray(a)) a.forEach((x, i) => differences(x, b[i], `${at}[]`, out));
    else
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
        differences(a[k], b[k], `${at}.${k}`, out);
  } else if (a !== b) out.add(at);
  return out;
}

const [first, second] = process.argv.slice(2);
if (first === undefined || second === undefined) {
  process.stderr.write('usage: node scripts/compare-studies.mjs <folder A> <folder B>\n');
  process.exit(2);
}
const [left, right] = await Promise.all([files(first), files(second)]);
const problems = [];
const measured = new Set();
for (const f of new Set([...left, ...right])) {
  if (!left.includes(f) || !right.includes(f)) {
    problems.push(`${f}: only in ${left.includes(f) ? first : second}`);
    continue;
  }
  const [a, b] = await Promise.all([readFile(path.join(first, f)), readFile(path.join(second, f))]);
  if (a.equals(b)) continue;
  if (f.endsWith('.json')) {
    for (const key of differences(
      JSON.parse(a.toString('utf8')),
      JSON.parse(b.toString('utf8')),
      '',
      new Set(),
    )) {
      const last = key.replace(/\[\]$/, '').split('.').at(-1) ?? '';
      if (MEASURED.has(last) || MACHINE.has(last)) measured.add(key);
      else problems.push(`${f}: ${key} differs`);
    }
  } else if (!f.endsWith('report.html')) problems.push(`${f}: the bytes differ`);
  // report.html is rendered from report.json (open-study.ts renders it anew): it differs where report.json does.
}
process.stdout.write(
  `${left.length} files compared; measured durations that differ: ${[...measured].sort().join(', ') || 'none'}\n`,
);
for (const p of problems) process.stdout.write(`DIFFERENT ${p}\n`);
process.exit(problems.length > 0 ? 1 : 0);
