/**
 * The date recorded in what the engine writes (trainedAt, createdAt, a checkpoint's savedAt). SOURCE_DATE_EPOCH
 * (seconds since 1970, the reproducible-builds convention) fixes it, so that a script that remakes a shipped
 * artefact (resources/studies/make-demo-study.sh) writes the same dates every time; durations are measured,
 * not recorded dates, and still differ from run to run.
 */
export const SOURCE_DATE_ENV = 'SOURCE_DATE_EPOCH';

export function recordedNow(env: NodeJS.ProcessEnv = process.env): string {
  const fixed = env[SOURCE_DATE_ENV];
  if (fixed !== undefined && /^\d+$/.test(fixed.trim())) return new Date(Number(fixed) * 1000).toISOString();
  return new Date().toISOString();
}
