/**
 * Where one training step's GPU time goes on webgpu: tfjs's profiling mode puts a timestamp query around every
 * program it runs (the adapter's 'timestamp-query' feature, which Dawn offers on Vulkan, SwiftShader too), and
 * the times are summed here by program class. That is the profile issue 14 asks the next kernel to come from.
 * Profiling ends the compute pass and submits after every program, so the step runs slower than it trains;
 * the per-program times are GPU times and hold, the step's wall time under profiling does not.
 * The fused Adam encodes its own pass (train/fused-adam.ts), which tfjs does not see: it is timed through
 * backend/webgpu/pass-timer.ts and listed as "FusedAdam". `timed_ms` against the step's unprofiled time says
 * how much of a step is neither (the gaps between programs, the CPU's share).
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { startPassTiming, stopPassTiming } from '../electron/engine/backend/webgpu/pass-timer.ts';
import { round } from './round.ts';

export interface ProgramTime {
  /** The program's class (kept in the GPU bundle by esbuild's --keep-names). */
  name: string;
  ms: number;
  count: number;
}

export interface StepProfile {
  /** GPU time of every timed program of the step, ms. */
  timed_ms: number;
  programs: ProgramTime[];
}

/** "Name: 0.12, Other: 3.4" (tfjs's getExtraProfileInfo) as name and time pairs. */
export function parseProgramTimes(info: string): { name: string; ms: number }[] {
  return info
    .split(', ')
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.lastIndexOf(': ');
      return { name: part.slice(0, at), ms: Number(part.slice(at + 2)) };
    })
    .filter((p) => p.name !== '' && Number.isFinite(p.ms));
}

/** The times summed by program, largest first, the `top` largest kept. */
export function sumByProgram(times: readonly { name: string; ms: number }[], top: number): StepProfile {
  const byName = new Map<string, ProgramTime>();
  for (const { name, ms } of times) {
    const entry = byName.get(name) ?? { name, ms: 0, count: 0 };
    entry.ms += ms;
    entry.count++;
    byName.set(name, entry);
  }
  const programs = [...byName.values()].sort((a, b) => b.ms - a.ms);
  return {
    timed_ms: round(
      programs.reduce((s, p) => s + p.ms, 0),
      3,
    ),
    programs: programs.slice(0, top).map((p) => ({ ...p, ms: round(p.ms, 3) })),
  };
}

/**
 * Runs `step` once with every program it queues synchronously timed on the GPU; undefined where the device
 * has no timestamp queries. `step` must queue its whole work before its first await (a fused step does:
 * DataParallelTrainer.overlapsSteps), since tfjs times only what runs inside the synchronous call.
 */
export async function profileStep(
  backend: WebGPUBackend,
  step: () => Promise<unknown>,
  top = 12,
): Promise<StepProfile | undefined> {
  if (!backend.device.features.has('timestamp-query')) return undefined;
  let pending: Promise<unknown> | undefined;
  let timing: Awaited<ReturnType<WebGPUBackend['time']>>;
  startPassTiming(backend.device);
  let own: { label: string; ms: number }[] = [];
  try {
    timing = await backend.time(() => {
      pending = step();
    });
  } finally {
    // The step's own reads finish (or fail) either way: never a rejection left unhandled.
    await pending;
    own = await stopPassTiming();
  }
  const info = timing.getExtraProfileInfo?.() ?? '';
  return sumByProgram(
    [
      ...parseProgramTimes(info),
      ...own.filter((p) => Number.isFinite(p.ms)).map((p) => ({ name: p.label, ms: p.ms })),
    ],
    top,
  );
}
