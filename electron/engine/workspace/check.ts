import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, ArtefactFile, WorkspaceCheck, WorkspaceProblem } from '../../../shared/workspace.ts';
import { summarizeArtefact } from '../../../shared/workspace.ts';
import { METADATA_FILE, validateMetadata } from '../models/metadata.ts';
import { MODEL_FILE, parseModelJson, WEIGHTS_FILE } from '../models/manifest.ts';
import { WorkspaceError, reason } from './errors.ts';
import { sha256File } from './files.ts';
import { readManifest } from './manifest-file.ts';
import { MANIFEST_FILE, resolveIn } from './paths.ts';

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** One recorded file: inside its artefact and the workspace (symlinks included), present, same size and hash. */
async function checkFile(root: string, realRoot: string, a: Artefact, f: ArtefactFile): Promise<string[]> {
  if (!(f.path === a.path || f.path.startsWith(`${a.path}/`)))
    return [`lies outside its artefact's path ${a.path}`];
  const file = resolveIn(root, f.path);
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? ['is missing']
      : [`cannot be read: ${reason(error)}`];
  }
  if (!inside(realRoot, real)) return [`leads outside the workspace (to ${real})`];
  const { size } = await stat(real);
  if (size !== f.size) return [`has ${size} bytes, the manifest records ${f.size}`];
  const sha = await sha256File(real);
  return sha === f.sha256 ? [] : ['its checksum differs from the manifest (the content has changed)'];
}

/**
 * Metadata-level checks of each model folder in an artefact (a model, or a study's two models), without
 * building the model: model.json parses as a tfjs LayersModel whose weights fit the recorded file sizes,
 * deepcorrect.json is valid, and both name the weights whose SHA-256 the manifest records.
 */
async function checkModels(root: string, a: Artefact): Promise<WorkspaceProblem[]> {
  const problems: WorkspaceProblem[] = [];
  const byPath = new Map(a.files.map((f) => [f.path, f]));
  const folders = a.files
    .filter((f) => path.posix.basename(f.path) === MODEL_FILE)
    .map((f) => path.posix.dirname(f.path));
  for (const folder of folders) {
    const modelFile = `${folder}/${MODEL_FILE}`;
    try {
      const parsed = parseModelJson(await readFile(resolveIn(root, modelFile), 'utf8'), modelFile);
      for (const group of parsed.groups) {
        const size = group.paths.reduce((s, p) => s + (byPath.get(`${folder}/${p}`)?.size ?? 0), 0);
        if (size !== group.bytes)
          problems.push({
            artefact: a.id,
            file: modelFile,
            problem: `lists ${group.bytes} bytes of weights, its files hold ${size}`,
          });
      }
      const weights = byPath.get(`${folder}/${WEIGHTS_FILE}`);
      if (
        parsed.weightsSha256 !== undefined &&
        weights !== undefined &&
        parsed.weightsSha256 !== weights.sha256
      )
        problems.push({
          artefact: a.id,
          file: modelFile,
          problem: 'names other weights than the recorded weights.bin (checksum differs)',
        });
      const metaFile = `${folder}/${METADATA_FILE}`;
      if (byPath.has(metaFile)) {
        const meta = validateMetadata(
          JSON.parse(await readFile(resolveIn(root, metaFile), 'utf8')),
          metaFile,
        );
        if (meta.weightsSha256 !== undefined && meta.weightsSha256 !== parsed.weightsSha256)
          problems.push({
            artefact: a.id,
            file: metaFile,
            problem: `describes other weights than ${MODEL_FILE}`,
          });
      }
    } catch (error) {
      problems.push({ artefact: a.id, file: modelFile, problem: reason(error) });
    }
  }
  return problems;
}

/**
 * Verifies a workspace: the manifest, then every complete artefact's files (streamed SHA-256) and model
 * folders. Damage is reported, never thrown: `ok` is false when there is any problem. Interrupted
 * artefacts are not damage; they are listed with their status.
 */
export async function checkWorkspace(dir: string): Promise<WorkspaceCheck> {
  const root = path.resolve(dir);
  let manifest;
  try {
    manifest = (await readManifest(root)).manifest;
  } catch (error) {
    if (!(error instanceof WorkspaceError)) throw error;
    return {
      ok: false,
      name: path.basename(root),
      problems: [{ file: MANIFEST_FILE, problem: error.message }],
      artefacts: [],
    };
  }
  const realRoot = await realpath(root);
  const problems: WorkspaceProblem[] = [];
  for (const a of manifest.artefacts) {
    if (a.status !== 'complete') continue;
    if (a.files.length === 0)
      problems.push({ artefact: a.id, file: a.path, problem: 'is complete but lists no files' });
    let damaged = false;
    for (const f of a.files) {
      for (const problem of await checkFile(root, realRoot, a, f)) {
        problems.push({ artefact: a.id, file: f.path, problem });
        damaged = true;
      }
    }
    // The model check reads the files, which only means something once they are known to be intact.
    if (!damaged) problems.push(...(await checkModels(root, a)));
  }
  return {
    ok: problems.length === 0,
    name: manifest.name,
    problems,
    artefacts: manifest.artefacts.map(summarizeArtefact),
  };
}
