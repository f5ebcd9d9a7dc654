import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DistortBenchCase } from './distort-bench.ts';
import { errorSummary, findPython } from './python.ts';

const execFileAsync = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./opencv_distort.py', import.meta.url));

export interface OpenCvPeerResult {
  bench: 'distort';
  backend: 'opencv';
  kind: string;
  level: number;
  shape: string;
  batch: number;
  img_s: number;
  threads: number;
  opencv: string;
}

/** Runs the OpenCV/NumPy peer on the blur and noise cases (others have no single OpenCV call). */
export async function runOpenCvPeer(
  cases: DistortBenchCase[],
  seconds = 1.5,
): Promise<OpenCvPeerResult[] | { unavailable: string }> {
  const found = await findPython('import cv2, numpy', 'OpenCV', 'OPENCV_PEER_PYTHON');
  if ('unavailable' in found) return found;
  const spec = {
    seconds,
    cases: cases
      .filter((c) => c.spec.kind === 'blur' || c.spec.kind === 'noise')
      .map((c) => ({ batch: c.batch, kind: c.spec.kind, level: c.spec.level })),
  };
  try {
    const { stdout } = await execFileAsync(found.python, [SCRIPT, JSON.stringify(spec)], {
      timeout: 10 * 60 * 1000,
    });
    return stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as OpenCvPeerResult);
  } catch (err) {
    throw new Error(`OpenCV peer: ${found.python} ${SCRIPT} failed: ${errorSummary(err)}`, { cause: err });
  }
}
