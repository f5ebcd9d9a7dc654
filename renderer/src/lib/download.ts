/**
 * Saving what the UI made (a chart, a table, a report) as a file: a Blob behind a temporary <a download>.
 * Works in the browser and in the desktop app (Electron shows its save dialog for downloads).
 */

/** A file name without characters file systems refuse, never empty. */
export function safeFileName(name: string, fallback = 'download'): string {
  const printable = [...name].filter((ch) => ch.charCodeAt(0) >= 32).join('');
  const cleaned = printable
    .replace(/[\\/:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return cleaned === '' ? fallback : cleaned.slice(0, 200);
}

/** The bytes of a data: URL (base64 or percent-encoded) as a Blob of its type. */
export function dataUrlToBlob(url: string): Blob {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (match === null) throw new Error('not a data: URL');
  const type = match[1] === '' ? 'text/plain' : (match[1] ?? 'text/plain');
  const payload = match[3] ?? '';
  if ((match[2] ?? '').split(';').includes('base64')) {
    const binary = atob(payload);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type });
  }
  return new Blob([decodeURIComponent(payload)], { type });
}

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
