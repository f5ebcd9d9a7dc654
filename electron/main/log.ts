/**
 * The main process's log: one timestamped line per event, to stderr (seen in development) and to a file in
 * the app's log folder (the only place a packaged app's refusals and engine crashes can be read later).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export type Log = (line: string) => void;

export function createLog(file: string | undefined): Log {
  let stream: WriteStream | undefined;
  if (file !== undefined) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      stream = createWriteStream(file, { flags: 'a' });
      // A full disk or a removed folder must not crash the app over a log line.
      stream.on('error', () => {
        stream = undefined;
      });
    } catch {
      stream = undefined;
    }
  }
  return (line: string) => {
    const text = `${new Date().toISOString()} ${line}\n`;
    process.stderr.write(text);
    stream?.write(text);
  };
}
