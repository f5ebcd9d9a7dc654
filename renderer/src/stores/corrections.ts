/**
 * DeepCorrect unit training beside its fine-tuning baseline (correct.train and finetune.train jobs started
 * together with the same data and budget): the pairs of this session, cancel and resume, and the models they
 * produce, opened in the engine once done so the other views can use them.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { JobInfo, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { useJobs } from './jobs.ts';
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

  function jobOf(side: CorrectionSide): JobInfo | undefined {
    const id = current.value?.[side];
    return id === undefined ? undefined : jobs.get(id);
  }

  function resultOf(side: CorrectionSide): TrainedOutput | undefined {
    const job = jobOf(side);
    return job?.status === 'done' ? (job.result as TrainedOutput | undefined) : undefined;
  }

  /** Starts both jobs; either may be refused (the toast says why), the other still runs. */
  async function trainBoth(correct: CorrectInput, finetune: FineTuneInput): Promise<void> {
    starting.value = true;
    try {
      const correctId = await jobs.startJob('correct.train', correct);
      const finetuneId = await jobs.startJob('finetune.train', finetune);
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
    if (job === undefined || job.input === undefined) return;
    const id =
      side === 'correct'
        ? await jobs.startJob('correct.train', { ...(job.input as CorrectInput), resume: true })
        : await jobs.startJob('finetune.train', { ...(job.input as FineTuneInput), resume: true });
    if (id === undefined) return;
    const pair = { ...(current.value ?? {}), [side]: id };
    pairs.value = pairs.value.length === 0 ? [pair] : [...pairs.value.slice(0, -1), pair];
  }

  // Opens every model a finished unit training or fine-tuning wrote, without changing the selection.
  watch(
    () =>
      jobs.all
        .filter((j) => (j.name === JOB_OF.correct || j.name === JOB_OF.finetune) && j.status === 'done')
        .map((j) => (j.result as TrainedOutput | undefined)?.modelDir)
        .filter((dir): dir is string => dir !== undefined),
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
