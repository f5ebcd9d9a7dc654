/**
 * A study run into a workspace, shared by `deepcorrect study --workspace` and the bridge's study.run: the study
 * is registered 'interrupted' under studies/<id> before it starts, the workspace is locked while it runs, and
 * the entry becomes complete with every file's checksum once the report is written. Only the study is
 * registered: its two model folders (deepcorrect/, fine-tuned/) are part of it, named in its provenance, so
 * that one entry owns each file and discarding or checking the study covers its models.
 */
import { constants } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StudyConfig, StudyReport } from '../../../shared/study.ts';
import type { Artefact } from '../../../shared/workspace.ts';
import { isInside } from '../io/is-inside.ts';
import { recordPath } from '../io/recorded-path.ts';
import { configDifferences, STUDY_FILE } from '../study/study-folder.ts';
import { refuseLinksUnder } from './confine.ts';
import { WorkspaceError } from './errors.ts';
import { studyProvenance } from './study-provenance.ts';
import { openWorkspace, type Workspace } from './workspace.ts';

/** A study artefact begun (or resumed) in a locked workspace. */
export interface WorkspaceStudy {
  artefact: Artefact;
  /** The study folder, absolute: runStudy's outDir. */
  outDir: string;
  root: string;
  /** After the report is written: the artefact becomes complete with every file's checksum. */
  finish: () => Promise<void>;
  /** After a failure: a study that wrote nothing leaves no entry behind. */
  failed: () => Promise<void>;
  /** Releases the workspace's lock. */
  close: () => Promise<void>;
}

export interface WorkspaceStudyOptions {
  /** Recorded in the artefact's provenance (the command line, or what the app ran). */
  command: string;
  /** Named in the lock while the study runs. */
  tool: string;
  /** Resume the study named by `studyId`, or the newest interrupted one run with the same settings. */
  resume?: boolean;
  studyId?: string;
  log?: (line: string) => void;
}

/** study.json's config; a study.json that is a link is not read (O_NOFOLLOW where the system has it). */
async function recordedConfig(dir: string): Promise<StudyConfig | undefined> {
  try {
    const text = await readFile(path.join(dir, STUDY_FILE), {
      encoding: 'utf8',
      flag: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0),
    });
    return (JSON.parse(text) as { config: StudyConfig }).config;
  } catch {
    return undefined;
  }
}

const studyIds = (ws: Workspace): string =>
  ws.artefacts
    .filter((a) => a.kind === 'study')
    .map((a) => a.id)
    .join(', ');

/** The study to resume: the one named, or the newest interrupted one run with the same settings. */
async function toResume(ws: Workspace, config: StudyConfig, id: string | undefined): Promise<Artefact> {
  if (id !== undefined) {
    const named = ws.artefact(id);
    if (named?.kind !== 'study')
      throw new WorkspaceError(ws.root, `holds no study "${id}" (studies: ${studyIds(ws) || 'none'})`);
    return named;
  }
  const interrupted = ws.artefacts
    .filter((a) => a.kind === 'study' && a.status === 'interrupted')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const a of interrupted) {
    const recorded = await recordedConfig(ws.path(a));
    if (recorded !== undefined && configDifferences(recorded, config, { within: ws.root }).length === 0)
      return a;
  }
  throw new WorkspaceError(
    ws.root,
    `holds no interrupted study with these settings (interrupted: ${interrupted.map((a) => a.id).join(', ') || 'none'}); name one with --study <id>`,
  );
}

/** Opens the workspace for writing and registers (or finds, to resume) the study's artefact. */
export async function beginWorkspaceStudy(
  dir: string,
  config: StudyConfig,
  options: WorkspaceStudyOptions,
): Promise<WorkspaceStudy> {
  const log = options.log ?? (() => undefined);
  const ws = await openWorkspace(dir, { write: true, tool: options.tool, log });
  try {
    const resume = options.resume ?? false;
    const artefact = resume
      ? await toResume(ws, config, options.studyId)
      : await ws.begin('study', `${config.kind} study`, { provenance: { command: options.command } });
    // The study writes its files itself (StudyFolder, saveModel): its folder must be a real one inside the
    // workspace, and hold no link that a write would follow out (a resumed study's stages/, a model folder).
    const outDir = await ws.checkedPath(artefact);
    await refuseLinksUnder(ws.root, artefact.path);
    log(resume ? `resuming study ${artefact.id} in ${ws.root}` : `study ${artefact.id} in ${ws.root}`);
    return {
      artefact,
      outDir,
      root: ws.root,
      finish: async () => {
        await ws.complete(artefact.id, studyProvenance(config, artefact.path));
      },
      failed: async () => {
        if (artefact.status === 'interrupted' && (await recordedConfig(outDir)) === undefined)
          await ws.discard(artefact.id);
      },
      close: () => ws.close(),
    };
  } catch (error) {
    await ws.close();
    throw error;
  }
}

/**
 * Runs a study into a workspace from start to end: begin (or resume), `run` into the study folder, complete;
 * on failure a study that wrote nothing is discarded and one that did stays 'interrupted' (resumable). The lock
 * is held only while the study runs.
 */
export async function runStudyInWorkspace(
  dir: string,
  config: StudyConfig,
  run: (outDir: string, resume: boolean) => Promise<StudyReport>,
  options: WorkspaceStudyOptions,
): Promise<{ report: StudyReport; outDir: string; artefact: Artefact; root: string }> {
  const study = await beginWorkspaceStudy(dir, config, options);
  try {
    const report = await run(study.outDir, options.resume ?? false);
    await study.finish();
    return { report, outDir: study.outDir, artefact: study.artefact, root: study.root };
  } catch (error) {
    await study.failed().catch(() => undefined);
    throw error;
  } finally {
    await study.close();
  }
}

/**
 * Registers a finished study made elsewhere (a study split by seed and merged in its own folder, which lives
 * on the cluster's shared file system) as a study of the workspace, as a study run there would be: a copy of
 * its folder under studies/<id> (files the study wrote; no link, no temporary file), complete with every
 * file's checksum and the same provenance, plus where it was copied from. The study folder is left as it is.
 */
export async function registerStudyCopy(
  dir: string,
  studyDir: string,
  config: StudyConfig,
  options: Omit<WorkspaceStudyOptions, 'resume' | 'studyId'>,
): Promise<{ outDir: string; artefact: Artefact; root: string }> {
  const source = path.resolve(studyDir);
  const log = options.log ?? (() => undefined);
  const ws = await openWorkspace(dir, { write: true, tool: options.tool, log });
  try {
    if (isInside(source, ws.root))
      throw new WorkspaceError(ws.root, `lies inside the study folder ${source}: the copy would copy itself`);
    const artefact = await ws.begin('study', `${config.kind} study`, {
      provenance: { command: options.command, copiedFrom: recordPath(source) },
    });
    try {
      const outDir = await ws.checkedPath(artefact);
      await cp(source, outDir, {
        recursive: true,
        errorOnExist: true,
        force: false,
        // A temporary file a killed task left (.name.pid.tmp) is not the study's.
        filter: (from) => from === source || !path.basename(from).startsWith('.'),
      });
      await refuseLinksUnder(ws.root, artefact.path);
      const done = await ws.complete(artefact.id, studyProvenance(config, artefact.path));
      log(`study ${artefact.id} in ${ws.root}`);
      return { outDir, artefact: done, root: ws.root };
    } catch (error) {
      await ws.discard(artefact.id).catch(() => undefined);
      throw error;
    }
  } finally {
    await ws.close();
  }
}
