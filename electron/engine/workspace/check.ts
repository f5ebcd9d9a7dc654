import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, ArtefactFile, WorkspaceCheck, WorkspaceProblem } from '../../../shared/workspace.ts';
import { summarizeArtefact } from '../../../shared/workspace.ts';
import { METADATA_FILE, validateMetadata } from '../models/metadata.ts';
import { MODEL_FILE, parseModelJson, WEIGHTS_FILE } from '../models/manifest.ts';
import { WorkspaceError, reason } from './errors.ts';
import { sha256File } from './files.ts';
import { isInside } from '../io/is-inside.ts';
import { linksUnder, ownFolderLinks, refuseLinkedFile } from './confine.ts';
import { artefactEscapes, loadManifest } from './manifest-file.ts';
import { LOCK_FILE, MANIFEST_FILE, resolveIn } from './paths.ts';

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
  if (!isInside(realRoot, real)) return [`leads outside the workspace (to ${real})`];
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

/** The lock as a link: reported, as the lock would refuse it. */
async function lockLink(root: string): Promise<WorkspaceProblem[]> {
  try {
    await refuseLinkedFile(path.join(root, LOCK_FILE));
    return [];
  } catch (error) {
    return [{ file: LOCK_FILE, problem: error instanceof WorkspaceError ? error.problem : reason(error) }];
  }
}

/**
 * The links under each interrupted artefact's folder: the folders jobs write into (a resume; a study's run
 * refuses them too, see run-study-in-workspace.ts). A complete artefact is not walked: a link on the way to
 * any of its recorded files is found by checkFile, which resolves each and says where it leads, and walking
 * every folder would add a tenth to check's time for links nothing writes through. Artefacts that lead out
 * are not walked either: they are not the workspace's to read.
 */
async function artefactLinks(
  root: string,
  artefacts: readonly Artefact[],
  escaped: ReadonlySet<string>,
): Promise<WorkspaceProblem[]> {
  const links = await Promise.all(
    artefacts.map((a) =>
      a.status === 'complete' || escaped.has(a.id) ? Promise.resolve([]) : linksUnder(root, a.path),
    ),
  );
  return artefacts.flatMap((a, i) =>
    (links[i] ?? []).map((link) => ({ artefact: a.id, file: link.at, problem: link.problem })),
  );
}

/**
 * Verifies a workspace: the manifest, that nothing in it leads outside (links in place of its folders,
 * artefact paths or files that escape), then every complete artefact's files (streamed SHA-256) and model
 * folders. Damage is reported, never thrown: `ok` is false when there is any problem. Interrupted
 * artefacts are not damage; they are listed with their status, but a link or an escape in one is.
 */
export async function checkWorkspace(dir: string): Promise<WorkspaceCheck> {
  const root = path.resolve(dir);
  let manifest;
  try {
    manifest = (await loadManifest(root)).manifest;
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
  const escapes = await artefactEscapes(root, manifest.artefacts);
  const escaped = new Set(escapes.map((e) => e.artefact.id));
  // What leads outside: the workspace's own folders and lock as links, artefact paths that escape, links in
  // artefact folders. Looked for while the files are hashed: both only read, and neither waits for the other.
  const containment = Promise.all([
    ownFolderLinks(root).then((links) => links.map((e) => ({ file: e.at, problem: e.problem }))),
    lockLink(root),
    Promise.resolve(escapes.map((e) => ({ artefact: e.artefact.id, file: e.at, problem: e.problem }))),
    artefactLinks(root, manifest.artefacts, escaped),
  ]);
  // Should the hashing below throw, this is never awaited: its failure must not become an unhandled rejection.
  containment.catch(() => undefined);
  const problems: WorkspaceProblem[] = [];
  for (const a of manifest.artefacts) {
    // An artefact that leads out is not read: its files' bytes are not the workspace's.
    if (a.status !== 'complete' || escaped.has(a.id)) continue;
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
  problems.unshift(...(await containment).flat());
  return {
    ok: problems.length === 0,
    name: manifest.name,
    problems,
    artefacts: manifest.artefacts.map(summarizeArtefact),
  };
}
