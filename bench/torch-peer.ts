/**
 * PyTorch peer for the cnn4 training benchmark.
 *
 * Spawns `bench/torch_cnn4.py` with a Python interpreter that can import
 * torch, and parses the single JSON line it prints. When no such interpreter
 * exists the result is `{ unavailable: reason }` rather than an exception.
 *
 * Interpreter choice: `$TORCH_PEER_PYTHON` if set (only that one), otherwise
 * `python3` on PATH, then `/usr/bin/python3`. The fallback matters when PATH's
 * `python3` is a pyenv/venv shim while torch came from the distribution
 * package (Debian's `python3-torch` installs into /usr/lib/python3).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { errorSummary, findPython } from './python.ts';

const execFileAsync = promisify(execFile);

const SCRIPT_PATH = fileURLToPath(new URL('./torch_cnn4.py', import.meta.url));
const RUN_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_BUFFER = 16 * 1024 * 1024;

export interface TorchPeerResult {
  backend: 'pytorch-cpu' | 'pytorch-cuda';
  model: 'cnn4';
  /** HxWxC, e.g. "28x28x1". */
  shape: string;
  threads: number;
  /** torch.__version__ */
  torch: string;
  /** CPU model name (from /proc/cpuinfo) or GPU name. */
  device: string;
  /** Training throughput over one timed epoch, images per second. */
  train_img_s: number;
  /** Inference throughput (no_grad, eval mode), images per second. */
  infer_img_s: number;
}

export interface TorchPeerOptions {
  shape: [number, number, number];
  images: number;
  batch: number;
  threads: number;
  device?: 'cpu' | 'cuda';
  /** Warm-up training steps before timing (script default: 2). */
  warmupBatches?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(
      `torch peer output: field "${key}" must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function requirePositiveNumber(obj: Record<string, unknown>, key: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(
      `torch peer output: field "${key}" must be a finite positive number, got ${JSON.stringify(value) ?? 'undefined'}`,
    );
  }
  return value;
}

/**
 * Parse and validate the output of `torch_cnn4.py`: the last non-empty line
 * of stdout must be a JSON object with the expected fields, and the
 * throughputs must be finite and positive. Throws an Error otherwise.
 *
 * Note: Python's json.dumps writes NaN/Infinity as bare tokens, which
 * JSON.parse rejects; that also ends up as a thrown Error.
 */
export function parseTorchPeerOutput(stdout: string): TorchPeerResult {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) {
    throw new Error('torch peer output: stdout is empty, expected one JSON line');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`torch peer output: last line is not valid JSON (${why}): ${last.slice(0, 200)}`);
  }
  if (!isRecord(parsed)) {
    throw new Error(`torch peer output: expected a JSON object, got: ${last.slice(0, 200)}`);
  }

  const backend = requireString(parsed, 'backend');
  if (backend !== 'pytorch-cpu' && backend !== 'pytorch-cuda') {
    throw new Error(`torch peer output: unexpected backend "${backend}"`);
  }
  const model = requireString(parsed, 'model');
  if (model !== 'cnn4') {
    throw new Error(`torch peer output: unexpected model "${model}"`);
  }
  const shape = requireString(parsed, 'shape');
  if (!/^\d+x\d+x\d+$/.test(shape)) {
    throw new Error(`torch peer output: shape "${shape}" is not HxWxC`);
  }
  const threads = requirePositiveNumber(parsed, 'threads');
  if (!Number.isInteger(threads)) {
    throw new Error(`torch peer output: threads must be an integer, got ${threads}`);
  }

  return {
    backend,
    model,
    shape,
    threads,
    torch: requireString(parsed, 'torch'),
    device: requireString(parsed, 'device'),
    train_img_s: requirePositiveNumber(parsed, 'train_img_s'),
    infer_img_s: requirePositiveNumber(parsed, 'infer_img_s'),
  };
}

/** Finds an interpreter that can `import torch` (and, for cuda, has a usable GPU). */
function findTorchPython(device: 'cpu' | 'cuda'): Promise<{ python: string } | { unavailable: string }> {
  if (device === 'cpu') return findPython('import torch', 'PyTorch', 'TORCH_PEER_PYTHON');
  return findPython(
    'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 3)',
    'PyTorch with CUDA',
    'TORCH_PEER_PYTHON',
    { 3: 'torch imports but torch.cuda.is_available() is False' },
  );
}

/**
 * Run the PyTorch cnn4 benchmark peer. Resolves to `{ unavailable }` when
 * python3/torch (or CUDA, for device 'cuda') is missing; rejects when the
 * script itself fails or prints invalid output.
 */
export async function runTorchPeer(
  opts: TorchPeerOptions,
): Promise<TorchPeerResult | { unavailable: string }> {
  const [h, w, c] = opts.shape;
  for (const [name, value] of [
    ['shape[0]', h],
    ['shape[1]', w],
    ['shape[2]', c],
    ['images', opts.images],
    ['batch', opts.batch],
    ['threads', opts.threads],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`runTorchPeer: ${name} must be a positive integer, got ${value}`);
    }
  }
  const device = opts.device ?? 'cpu';

  const found = await findTorchPython(device);
  if ('unavailable' in found) return found;

  const args = [
    SCRIPT_PATH,
    '--shape',
    `${h}x${w}x${c}`,
    '--images',
    String(opts.images),
    '--batch',
    String(opts.batch),
    '--threads',
    String(opts.threads),
    '--device',
    device,
  ];
  if (opts.warmupBatches !== undefined) args.push('--warmup-batches', String(opts.warmupBatches));

  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(found.python, args, {
      timeout: RUN_TIMEOUT_MS,
      maxBuffer: MAX_BUFFER,
      encoding: 'utf8',
    }));
  } catch (err) {
    throw new Error(`torch peer: ${found.python} ${SCRIPT_PATH} failed: ${errorSummary(err)}`, {
      cause: err,
    });
  }
  return parseTorchPeerOutput(stdout);
}
