import type { JobOf } from '../../shared/bridge/contract.ts';

/** A finished rank.filters job of the session, as the jobs store holds one. */
export function doneRankJob(
  id: string,
  input: JobOf<'rank.filters'>['input'],
  endedAt: number,
  result?: JobOf<'rank.filters'>['result'],
): JobOf<'rank.filters'> {
  return {
    id,
    name: 'rank.filters',
    title: id,
    status: 'done',
    input,
    ...(result === undefined ? {} : { result }),
    queuedAt: 0,
    endedAt,
  };
}
