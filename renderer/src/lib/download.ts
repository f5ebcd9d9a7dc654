/**
 * Saving what the UI made (a chart, a table, a report) as a file: a Blob behind a temporary <a download>.
 * Works in the browser and in the desktop app (Electron shows its save dialog for downloads).
 */
import { safeFileName } from './file-data.ts';

export { dataUrlToBlob, safeFileName } from './file-data.ts';

/** Saves a Blob under a file name. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(fileName);
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled (Chromium starts the download asynchronously).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}
