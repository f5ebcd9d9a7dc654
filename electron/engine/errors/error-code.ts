/**
 * The kind of an engine error, as the code it crosses the bridge with: the UI picks its next-step advice by
 * the code (renderer/src/bridge/errors.ts), and the message still says what went wrong.
 */
import { BridgeError, type BridgeErrorCode } from '../../../shared/bridge/protocol.ts';
import { DistortionSpecError } from '../../../shared/distortions.ts';
import { GpuJobError } from '../backend/gpu-errors.ts';
import { DatasetError } from '../data/errors.ts';
import { FileProblemError } from '../io/file-error.ts';
import { ModelError } from '../models/model-error.ts';
import { RankingFileError } from '../rank/open-ranking.ts';
import { HandleClosedError } from '../session/handle-registry.ts';
import { AbortError } from '../train/fit.ts';
import { WorkspaceError } from '../workspace/errors.ts';

/** Subclasses before the FileProblemError they extend: the first match wins. */
const BY_CLASS: readonly [abstract new (...args: never[]) => Error, BridgeErrorCode][] = [
  [HandleClosedError, 'evicted'],
  [RankingFileError, 'ranking-file'],
  [DatasetError, 'dataset'],
  [ModelError, 'model'],
  [WorkspaceError, 'workspace'],
  [FileProblemError, 'file'],
  [DistortionSpecError, 'invalid-input'],
  [AbortError, 'cancelled'],
];

/** How Node, V8 and the wasm backend say memory ran out, when it arrives as an error rather than a crash. */
const OUT_OF_MEMORY =
  /out of memory|array buffer allocation failed|cannot allocate memory|\bENOMEM\b|cannot enlarge memory/i;

export function errorCode(error: unknown): BridgeErrorCode {
  if (error instanceof BridgeError) return error.code;
  if (error instanceof GpuJobError)
    return error.fault.kind === 'out-of-memory' || error.fault.kind === 'too-large' ? 'out-of-memory' : 'gpu';
  const known = BY_CLASS.find(([type]) => error instanceof type);
  if (known !== undefined) return known[1];
  const message = error instanceof Error ? error.message : String(error);
  if (OUT_OF_MEMORY.test(message)) return 'out-of-memory';
  // An operating system error the engine did not wrap (ENOENT, EACCES...): a path it was given.
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return 'file';
  return 'engine';
}
