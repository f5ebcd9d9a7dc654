/**
 * Error messages that say what to do next. The engine's message says what went wrong; the code of the
 * BridgeError says which kind of trouble it is, and so what the user can do about it.
 */
import { BridgeError, type BridgeErrorCode } from '../../../shared/bridge/protocol.ts';

/** What the UI shows when the browser-mode connection drops. */
export const CONNECTION_LOST =
  'Lost the connection to the engine: restart `deepcorrect serve` and reload this page.';

/** What the UI shows when the page was opened without the launch token. */
export const MISSING_TOKEN =
  'This page was opened without its launch token: open the exact address `deepcorrect serve` printed (it ends in ?token=…).';

const NEXT_STEP: Record<BridgeErrorCode, (message: string) => string> = {
  'invalid-input': (m) => `The engine refused the request: ${m}. Check the values and try again.`,
  'not-allowed': (m) =>
    // The engine's message usually names the remedy (--allow, Open…); explain only when it does not.
    /--allow|Open…/.test(m)
      ? `Not allowed: ${sentence(m)}`
      : `Not allowed: ${sentence(m)} The engine reads only paths you chose: use Open… in the desktop app, or start \`deepcorrect serve --allow <folder>\` for browser mode.`,
  'too-large': (m) =>
    `The request was too large: ${m}. Ask for less at once (fewer images, a smaller subset).`,
  'host-crashed': (m) => `The engine restarted (${m}); run the job again.`,
  file: (m) => `${sentence(m)} Check the path, or choose another file or folder.`,
  dataset: (m) => `${sentence(m)} Check the dataset's files, or open another dataset.`,
  model: (m) => `${sentence(m)} Check the model folder, or open another model.`,
  'ranking-file': (m) =>
    `${sentence(m)} Choose a ranking saved by the app (a workspace's rankings/, a study's ranking.json) or by \`deepcorrect rank --out\`.`,
  workspace: (m) => `${sentence(m)} Check the workspace to list its problems, or open another.`,
  evicted: (m) =>
    `${sentence(m)} The engine keeps a few models and datasets open at once: open it again, then retry.`,
  'out-of-memory': (m) =>
    `${sentence(m)} Ask for less at once (a smaller batch, fewer images per class), or close other work, then try again.`,
  gpu: (m) => `${sentence(m)} Try again; if it fails again, use the CPU backend (wasm).`,
  engine: (m) => `${sentence(m)} Fix what it names and try again.`,
  cancelled: () => 'Cancelled.',
  transport: (m) => `${sentence(m)} Restart the engine and reload the window.`,
  'invalid-message': (m) =>
    `The UI and the engine disagree on the protocol (${m}): rebuild or reinstall the app so both are the same version.`,
  'unknown-request': (m) =>
    `The engine does not know this request (${m}): rebuild or reinstall the app so both are the same version.`,
};

function sentence(message: string): string {
  const m = message.trim();
  if (m === '') return 'Something went wrong.';
  const capital = m[0]?.toUpperCase() + m.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A toast's text for an error from a request: `doing` says what was being attempted ("Opening the dataset"). */
export function describeError(error: unknown, doing?: string): string {
  const prefix = doing === undefined ? '' : `${doing} failed. `;
  if (error instanceof BridgeError) return prefix + NEXT_STEP[error.code](error.message);
  const message = error instanceof Error ? error.message : String(error);
  return `${prefix}${sentence(message)} Reload the window; if it happens again, report it with this message.`;
}

/** Whether an error is the user's own cancel, which needs no toast. */
export function isCancel(error: unknown): boolean {
  return error instanceof BridgeError && error.code === 'cancelled';
}
