import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { StudyConfig } from '../../../../shared/study.ts';
import type { Artefact } from '../../../../shared/workspace.ts';
import { CORRECTED_DIR, FINE_TUNED_DIR } from '../../study/assemble-report.ts';
import { STUDY_FILE } from '../../study/study-folder.ts';
import { WorkspaceError } from '../../workspace/errors.ts';
import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';

/** Where a study writes: a plain --out folder, or a new (or resumed) study artefact of a workspace. */
export interface StudyTarget {
  outDir: string;
  resume: boolean;
  /** After the report is written: the artefact becomes complete with every file's checksum. */
  finish(): Promise<void>;
  /** After a failure: a study that wrote nothing leaves no entry behind. */
  failed(): Promise<void>;
  close(): Promise<void>;
}

export interface TargetFlags {
  out?: string;
  workspace?: string;
  study?: string;
  resume: boolean;
}

/** JSON with sorted keys, so that two configs compare by content, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

async function recordedConfig(dir: string): Promise<StudyConfig | undefined> {
  try {
    return (JSON.parse(await readFile(path.join(dir, STUDY_FILE), 'utf8')) as { config: StudyConfig }).config;
  } catch {
    return undefined;
  }
}

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
    if (recorded !== undefined && canonical(recorded) === canonical(config)) return a;
  }
  throw new WorkspaceError(
    ws.root,
    `holds no interrupted study with these settings (interrupted: ${interrupted.map((a) => a.id).join(', ') || 'none'}); name one with --study <id>`,
  );
}

const studyIds = (ws: Workspace): string =>
  ws.artefacts
    .filter((a) => a.kind === 'study')
    .map((a) => a.id)
    .join(', ');

/**
 * Resolves --out or --workspace. With a workspace, the study is registered 'interrupted' before it starts,
 * under studies/<slug-time>, and the workspace stays locked until `close`. Only the study is registered:
 * its two model folders (deepcorrect/, fine-tuned/) are part of it, named in its provenance, so that one
 * entry owns each file and discarding or checking the study covers its models.
 */
export async function studyTarget(
  flags: TargetFlags,
  config: StudyConfig,
  command: string,
  log: (line: string) => void,
): Promise<StudyTarget> {
  if (flags.out !== undefined && flags.workspace !== undefined)
    throw new InvalidArgumentError(
      '--out and --workspace are mutually exclusive: a workspace chooses the study folder itself',
    );
  if (flags.study !== undefined && (flags.workspace === undefined || !flags.resume))
    throw new InvalidArgumentError(
      '--study <id> names the study to resume: use it with --workspace and --resume',
    );
  if (flags.workspace === undefined) {
    if (flags.out === undefined)
      throw new InvalidArgumentError('--out <folder> or --workspace <folder> is required');
    const outDir = flags.out;
    const none = (): Promise<void> => Promise.resolve();
    return { outDir, resume: flags.resume, finish: none, failed: none, close: none };
  }
  const ws = await openWorkspace(flags.workspace, { write: true, tool: 'deepcorrect study', log });
  try {
    const artefact = flags.resume
      ? await toResume(ws, config, flags.study)
      : await ws.begin('study', `${config.kind} study`, { provenance: { command } });
    if (flags.resume) log(`resuming study ${artefact.id} in ${ws.root}`);
    else log(`study ${artefact.id} in ${ws.root}`);
    const outDir = ws.path(artefact);
    return {
      outDir,
      resume: flags.resume,
      finish: async () => {
        await ws.complete(artefact.id, {
          models: [CORRECTED_DIR, FINE_TUNED_DIR].map((d) => `${artefact.path}/${d}`),
          config: { kind: config.kind, levels: config.levels, layers: config.layers, beta: config.beta },
        });
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
