#!/usr/bin/env node
// Copies a study folder made before recorded paths were portable, with them made portable as the engine now
// records them (electron/engine/io/recorded-path.ts): every absolute path string in its JSON files becomes
// resources/... (bundled), a path relative to the study folder, or a folder name; the absolute paths in
// "command" strings likewise. Epoch checkpoints are left out, files without a path keep their bytes, and
// report.html is rendered anew from report.json (as `study.open` does).
//   node scripts/portable-study-paths.mjs <study folder> <new folder>
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { recordCommand, recordPath } = await import('../electron/engine/io/recorded-path.ts');
const { reportHtml } = await import('../electron/engine/study/report-page.ts');

const [from, to] = process.argv.slice(2);
if (from === undefined || to === undefined) {
  process.stderr.write('usage: node scripts/portable-study-paths.mjs <study folder> <new folder>\n');
  process.exit(2);
}
const within = path.resolve(from);
const fix = (value, key) => {
  if (typeof value === 'string') {
    if (key === 'command') return recordCommand(value, { within });
    return path.isAbsolute(value) ? recordPath(value, { within }) : value;
  }
  if (Array.isArray(value)) return value.map((v) => fix(v, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fix(v, k)]));
  return value;
};

await rm(to, { recursive: true, force: true });
await cp(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'checkpoint' });
const changed = [];
for (const e of await readdir(to, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !e.name.endsWith('.json')) continue;
  const file = path.join(e.parentPath, e.name);
  const parsed = JSON.parse(await readFile(file, 'utf8'));
  const fixed = fix(parsed, '');
  if (JSON.stringify(fixed) === JSON.stringify(parsed)) continue;
  // As the engine writes JSON (StudyFolder.writeJson, saveModel).
  await writeFile(file, `${JSON.stringify(fixed, null, 1)}\n`);
  changed.push(path.relative(to, file));
}
const report = JSON.parse(await readFile(path.join(to, 'report.json'), 'utf8'));
await writeFile(path.join(to, 'report.html'), await reportHtml(report));
process.stdout.write(`paths made portable in: ${changed.join(', ')}; report.html rendered anew\n`);
