/**
 * The words of the Workspace page's guided start (views/workspace/GuidedStart.vue) that depend on data: how long
 * a study took where it was made, and what that says about running it again on this engine. Pure.
 */
import type { StudyReport } from '../../../shared/study.ts';
import { formatDuration } from './format.ts';

export interface EngineBackend {
  name: string;
  device: string;
  threads: number;
}

/** "13 min" from 45 s up, else seconds: a rough figure, as a stage total is. */
export function roughDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'an unknown time';
  if (seconds < 45) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.max(1, Math.round(seconds / 60))} min`;
  return formatDuration(seconds);
}

/** Whether the study was made on the backend and device this engine runs on (the report's device names its threads). */
export function sameMachineKind(
  report: Pick<StudyReport, 'backend' | 'device'>,
  engine: EngineBackend,
): boolean {
  if (report.backend !== engine.name) return false;
  const made = report.device.toLowerCase();
  return (
    made.startsWith(engine.device.toLowerCase()) &&
    (engine.threads <= 1 || made.includes(`${engine.threads} thread`))
  );
}

/**
 * What running the study again costs, honestly: the recorded total on the backend and device it was made on,
 * and whether this engine matches them (no estimate is made for another backend or device).
 */
export function rerunTime(
  report: Pick<StudyReport, 'backend' | 'device' | 'totalSeconds'>,
  engine: EngineBackend | null,
): string {
  const recorded = Number.isFinite(report.totalSeconds) && report.totalSeconds > 0;
  const took = recorded
    ? `It took ${roughDuration(report.totalSeconds)} on ${report.backend} (${report.device}) when it was made`
    : `It was made on ${report.backend} (${report.device}); its report records no running time`;
  if (engine === null) return `${took}.`;
  if (sameMachineKind(report, engine))
    return `${took}; this engine runs the same backend on the same kind of processor, so expect about that here.`;
  return `${took}; this engine runs ${engine.name} on ${engine.device}, so the time here will differ (no estimate is made across backends or devices).`;
}

/** The study's settings in a few words: distortion and levels, seeds, epochs. */
export function studyGist(report: StudyReport): string {
  const seeds = report.config.seeds?.length ?? 1;
  return `${report.distortionLabel.toLowerCase()} at ${report.config.levels.join(', ')}; ${seeds} seed${seeds === 1 ? '' : 's'}; at most ${report.config.epochs} epoch${report.config.epochs === 1 ? '' : 's'}`;
}

/**
 * The study's recorded command as one to type now: it was run with --resume and into a folder of its maker's
 * (recorded by name), so both go and a new folder is named; every setting stays as it was run.
 */
export function rerunCommand(recorded: string, out = 'my-blur-study'): string {
  const words = recorded.trim().split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--resume' || word.startsWith('--out=')) continue;
    if (word === '--out') {
      i++;
      continue;
    }
    kept.push(word);
  }
  return [...kept, '--out', out].join(' ');
}
