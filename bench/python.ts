/**
 * Finding a Python interpreter for the benchmark peers (PyTorch, OpenCV). `python3` on PATH may be a pyenv or
 * venv shim without the distribution's packages (Debian installs python3-torch and python3-opencv into
 * /usr/lib/python3), so /usr/bin/python3 is tried after it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const PROBE_TIMEOUT_MS = 60 * 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The most useful line of a failed child process: ENOENT, its last stderr line, or its message. */
export function errorSummary(err: unknown): string {
  if (!isRecord(err)) return String(err);
  if (err['code'] === 'ENOENT') return 'not found';
  const stderr = err['stderr'];
  if (typeof stderr === 'string' && stderr.trim().length > 0) {
    const lines = stderr.trim().split(/\r?\n/);
    return lines[lines.length - 1] ?? stderr.trim();
  }
  if (err['killed'] === true)
    return `killed (${typeof err['signal'] === 'string' ? err['signal'] : 'timeout'})`;
  const message = err['message'];
  return typeof message === 'string' ? message : JSON.stringify(err);
}

/**
 * The first interpreter for which `probe` exits 0: only `$overrideEnv` when it is set, else python3 on PATH,
 * then /usr/bin/python3. `exitReasons` explains a probe's own exit codes.
 */
export async function findPython(
  probe: string,
  what: string,
  overrideEnv: string,
  exitReasons: Record<number, string> = {},
): Promise<{ python: string } | { unavailable: string }> {
  const override = process.env[overrideEnv]?.trim();
  const candidates = override ? [override] : ['python3', '/usr/bin/python3'];
  const failures: string[] = [];
  for (const python of candidates) {
    try {
      await execFileAsync(python, ['-c', probe], { timeout: PROBE_TIMEOUT_MS });
      return { python };
    } catch (err) {
      const code = isRecord(err) ? err['code'] : undefined;
      failures.push(
        `${python}: ${(typeof code === 'number' ? exitReasons[code] : undefined) ?? errorSummary(err)}`,
      );
    }
  }
  return { unavailable: `${what} is not available (${failures.join('; ')})` };
}
