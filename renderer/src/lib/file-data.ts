/** File names and bytes for downloads: pure, so they are tested without a DOM. */

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
