import path from 'node:path';
import { MIXED_CHECKPOINT } from '../correct/mixed-checkpoint.ts';
import { BASELINE_CHECKPOINT, CHECKPOINT_FOLDER } from '../train/checkpoint.ts';
import { readCheckpointAt } from '../train/checkpoint-store.ts';

/**
 * What a cancelled training left in its model folder: the checkpoint of the last finished epoch (of this run
 * or an earlier one), if any, and how to continue from it. The model itself is saved only at the end.
 */
export async function cancelNote(out: string, kind: 'baseline' | 'mixed'): Promise<string> {
  const root = path.join(path.resolve(out), CHECKPOINT_FOLDER);
  const reading =
    kind === 'baseline'
      ? readCheckpointAt(root, BASELINE_CHECKPOINT)
      : readCheckpointAt(root, MIXED_CHECKPOINT);
  const state = await reading.catch(() => undefined);
  return state === undefined
    ? 'no epoch had finished, so there is no checkpoint to resume'
    : `the checkpoint after epoch ${state.epoch} is in ${root}; run the same command with --resume to continue`;
}
