import { InvalidArgumentError } from 'commander';
import type { StudyConfig } from '../../../../shared/study.ts';
import { beginWorkspaceStudy } from '../../workspace/run-study-in-workspace.ts';

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
  const study = await beginWorkspaceStudy(flags.workspace, config, {
    command,
    tool: 'deepcorrect study',
    resume: flags.resume,
    ...(flags.study === undefined ? {} : { studyId: flags.study }),
    log,
  });
  return {
    outDir: study.outDir,
    resume: flags.resume,
    finish: study.finish,
    failed: study.failed,
    close: study.close,
  };
}
