/**
 * DeepCorrect unit training beside its fine-tuning baseline (correct.train and finetune.train jobs started
 * together with the same data and budget): the pairs of this session, cancel and resume, and the models they
 * produce, opened in the engine once done so the other views can use them.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { useJobs } from './jobs.ts';
import { useKeptJobs } from './keep-results.ts';
import { useModels } from './models.ts';

export type CorrectInput = RequestInput<'correct.train'>;
export type FineTuneInput = RequestInput<'finetune.train'>;
export type TrainedOutput = RequestOutput<'correct.train'>;
export type CorrectionSide = 'correct' | 'finetune';

/** The job ids of one "Train both"; a resumed job replaces its side's id. */
export interface CorrectionPair {
  correct?: string;
  finetune?: string;
}

const JOB_OF: Record<CorrectionSide, 'correct.train' | 'finetune.train'> = {
  correct: 'correct.train',
  finetune: 'finetune.train',
};

export const useCorrections = defineStore('corrections', () => {
  const jobs = useJobs();
  const startKept = useKeptJobs();
  const models = useModels();
  const pairs = ref<CorrectionPair[]>([]);
  const starting = ref(false);
  /** Model folders already handed to models.open (once each). */
  const opened = new Set<string>();

  /** The newest pair; after a reload, the newest jobs of each kind the engine still knows. */
  const current = computed<CorrectionPair | undefined>(() => {
    const last = pairs.value.at(-1);
    if (last !== undefined) return last;
    const correct = jobs.latest('correct.train')?.id;
    const finetune = jobs.latest('finetune.train')?.id;
    if (correct === undefined && finetune === undefined) return undefined;
    return { ...(correct === undefined ? {} : { correct }), ...(finetune === undefined ? {} : { finetune }) };
  });

  function jobOf(side: CorrectionSide): JobOf<'correct.train' | 'finetune.train'> | undefined {
    const id = current.value?.[side];
    return id === undefined ? undefined : jobs.get(id, JOB_OF[side]);
  }

  function resultOf(side: CorrectionSide): TrainedOutput | undefined {
    const job = jobOf(side);
    return job?.status === 'done' ? job.result : undefined;
  }

  /** Starts both jobs; either may be refused (the toast says why), the other still runs. */
  async function trainBoth(correct: CorrectInput, finetune: FineTuneInput): Promise<void> {
    starting.value = true;
    try {
      // Trained into the form's folders; a copy of each model is kept in the open workspace, if any.
      const correctId = await startKept('correct.train', correct);
      const finetuneId = await startKept('finetune.train', finetune);
      if (correctId === undefined && finetuneId === undefined) return;
      pairs.value = [
        ...pairs.value,
        {
          ...(correctId === undefined ? {} : { correct: correctId }),
          ...(finetuneId === undefined ? {} : { finetune: finetuneId }),
        },
      ];
    } finally {
      starting.value = false;
    }
  }

  async function cancel(side: CorrectionSide): Promise<void> {
    const job = jobOf(side);
    if (job !== undefined) await jobs.cancel(job.id);
  }

  /** Starts the side's job again with the same input and resume: true (continues from its epoch checkpoint). */
  async function resume(side: CorrectionSide): Promise<void> {
    const job = jobOf(side);
    if (job === undefined) return;
    const resumed =
      job.name === 'correct.train'
        ? await jobs.startJob('correct.train', { ...job.input, resume: true })
        : await jobs.startJob('finetune.train', { ...job.input, resume: true });
    if (resumed === undefined) return;
    const pair = { ...(current.value ?? {}), [side]: resumed };
    pairs.value = pairs.value.length === 0 ? [pair] : [...pairs.value.slice(0, -1), pair];
  }

  // Opens every model a finished unit training or fine-tuning wrote, without changing the selection.
  watch(
    () =>
      [...jobs.ofKind('correct.train'), ...jobs.ofKind('finetune.train')].flatMap((j) =>
        j.status === 'done' && j.result !== undefined ? [j.result.modelDir] : [],
      ),
    (dirs) => {
      for (const dir of dirs) {
        if (opened.has(dir)) continue;
        opened.add(dir);
        void models.open(dir, false);
      }
    },
    { immediate: true },
  );

  return { pairs, current, starting, jobOf, resultOf, trainBoth, cancel, resume };
});
