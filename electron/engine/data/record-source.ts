import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { ascendingPositions } from './batching.ts';
import { DatasetError, fsProblem } from './errors.ts';

/** A file of fixed-size records after a header: IDX images, or CIFAR records (label bytes + pixels). */
export interface RecordFile {
  path: string;
  /** Gzipped files are decompressed as a stream; plain ones are read at positions. */
  gzip: boolean;
  /** Bytes before the first record (of the decompressed data). */
  headerBytes: number;
  recordBytes: number;
  count: number;
}

/** What a gzip or file error means for the user. */
export function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_BUF_ERROR') return 'truncated gzip data (the compressed stream ends early)';
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return 'reading stopped: the dataset was closed';
  if (code === 'Z_DATA_ERROR') {
    const message = error instanceof Error ? error.message : String(error);
    return `not gzip data, or corrupt (${message})`;
  }
  return fsProblem(error);
}

const EMPTY = Buffer.alloc(0);

/**
 * A forward-only reader over a gzipped file's decompressed bytes. Memory: one compressed read buffer (1 MiB)
 * and one decompressed chunk (256 KiB), whatever the file's size.
 */
export class GzipCursor {
  /** Decompressed bytes consumed so far. */
  position = 0;
  private chunk: Buffer = EMPTY;
  private offset = 0;
  private readonly stream: Gunzip;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(readonly file: string) {
    this.stream = createGunzip({ chunkSize: 1 << 18 });
    // Errors of either stream reach the consumer through the gunzip iterator; the callback only stops
    // pipeline() from treating them as unhandled.
    pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), this.stream, () => undefined);
    this.iterator = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next decompressed chunk; false at the end of the data. */
  private async fill(signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      throw new DatasetError(this.file, readProblem(error), { cause: error });
    }
    if (result.done === true) return false;
    this.chunk = result.value;
    this.offset = 0;
    return true;
  }

  private ended(): DatasetError {
    return new DatasetError(
      this.file,
      `truncated: the decompressed data ends after ${this.position} bytes, before the records the header announces`,
    );
  }

  async skipTo(target: number, signal?: AbortSignal): Promise<void> {
    while (this.position < target) {
      if (this.offset >= this.chunk.length && !(await this.fill(signal))) throw this.ended();
      const take = Math.min(target - this.position, this.chunk.length - this.offset);
      this.offset += take;
      this.position += take;
    }
  }

  /** Copies the next bytes into `out`; returns how many there were (fewer only at the end of the data). */
  async readUpTo(out: Uint8Array, at: number, length: number, signal?: AbortSignal): Promise<number> {
    let done = 0;
    while (done < length) {
      if (this.offset >= this.chunk.length && !(await this.fill(signal))) break;
      const take = Math.min(length - done, this.chunk.length - this.offset);
      out.set(this.chunk.subarray(this.offset, this.offset + take), at + done);
      this.offset += take;
      this.position += take;
      done += take;
    }
    return done;
  }

  async read(out: Uint8Array, at: number, length: number, signal?: AbortSignal): Promise<void> {
    if ((await this.readUpTo(out, at, length, signal)) < length) throw this.ended();
  }

  close(): void {
    this.stream.destroy();
  }
}

/** The first `length` bytes of a gzipped file's data (fewer if it is shorter). */
export async function gunzipPrefix(file: string, length: number): Promise<Uint8Array> {
  const cursor = new GzipCursor(file);
  try {
    const out = new Uint8Array(length);
    return out.subarray(0, await cursor.readUpTo(out, 0, length));
  } finally {
    cursor.close();
  }
}

/** Reads `length` bytes at `position`, all of them, or fails naming the file. */
export async function readExactly(
  handle: FileHandle,
  file: string,
  out: Uint8Array,
  at: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(out, at + done, length - done, position + done));
    } catch (error) {
      throw new DatasetError(file, readProblem(error), { cause: error });
    }
    if (bytesRead === 0)
      throw new DatasetError(
        file,
        `ends at byte ${position + done}, before the data it should hold (truncated?)`,
      );
    done += bytesRead;
  }
}

/**
 * The records of one split, possibly spread over several files (CIFAR-10's five training batches), addressed by
 * one index. Plain files are shared by all iterations (positioned reads do not interfere); each iteration gets
 * its own gzip cursors from `session()`.
 */
export class RecordSource {
  readonly count: number;
  readonly recordBytes: number;
  private readonly starts: number[] = [];
  private readonly handles = new Map<string, Promise<FileHandle>>();
  private readonly sessions = new Set<RecordSession>();
  private closed = false;

  constructor(readonly files: RecordFile[]) {
    let start = 0;
    for (const file of files) {
      this.starts.push(start);
      start += file.count;
    }
    this.count = start;
    this.recordBytes = files[0]?.recordBytes ?? 0;
    if (files.some((f) => f.recordBytes !== this.recordBytes))
      throw new Error('all files of a record source must have the same record size');
  }

  /** Which file holds global record `index`, and the record's index within it. */
  locate(index: number): { file: number; local: number } {
    let f = this.files.length - 1;
    while (f > 0 && index < (this.starts[f] as number)) f--;
    return { file: f, local: index - (this.starts[f] as number) };
  }

  handle(file: RecordFile): Promise<FileHandle> {
    if (this.closed) return Promise.reject(new Error('the dataset is closed'));
    let handle = this.handles.get(file.path);
    if (handle === undefined) {
      handle = open(file.path, 'r').catch((error: unknown) => {
        this.handles.delete(file.path);
        throw new DatasetError(file.path, fsProblem(error), { cause: error });
      });
      this.handles.set(file.path, handle);
    }
    return handle;
  }

  session(): RecordSession {
    if (this.closed) throw new Error('the dataset is closed');
    const session = new RecordSession(this, () => this.sessions.delete(session));
    this.sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const session of this.sessions) session.close();
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (h) => (await h.catch(() => undefined))?.close()));
  }
}

/** One iteration's reader: gzip cursors advance through their files as the iteration goes. */
export class RecordSession {
  private readonly cursors = new Map<number, GzipCursor>();

  constructor(
    private readonly source: RecordSource,
    private readonly onClose: () => void,
  ) {}

  /**
   * Reads records `indices` (global, any order, repeats allowed) into `out`, record k at k*recordBytes.
   * Records are visited in ascending order so each gzip file is read forward; a gzip cursor already past a
   * wanted record starts again from the beginning of its file.
   */
  async read(indices: Uint32Array, out: Uint8Array, signal?: AbortSignal): Promise<void> {
    const positions = ascendingPositions(indices);
    const plainReads: Promise<void>[] = [];
    try {
      await this.visit(indices, positions, out, plainReads, signal);
    } catch (error) {
      // Plain reads already started must not fail later unobserved.
      await Promise.allSettled(plainReads);
      throw error;
    }
    await Promise.all(plainReads);
  }

  /** Reads gzip records in order and starts the plain reads (pushed to `plainReads`). */
  private async visit(
    indices: Uint32Array,
    positions: Uint32Array,
    out: Uint8Array,
    plainReads: Promise<void>[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { files, recordBytes } = this.source;
    let k = 0;
    while (k < positions.length) {
      const pos = positions[k] as number;
      const index = indices[pos] as number;
      const { file: f, local } = this.source.locate(index);
      const file = files[f] as RecordFile;
      // How many of the following positions continue this run: consecutive records of the same file going
      // to consecutive slots (a whole plain batch in order is one read).
      let run = 1;
      while (
        k + run < positions.length &&
        indices[positions[k + run] as number] === index + run &&
        positions[k + run] === pos + run &&
        local + run < file.count
      )
        run++;
      if (file.gzip) {
        const previous = k > 0 ? (positions[k - 1] as number) : -1;
        if (previous >= 0 && indices[previous] === index) {
          // A repeated index: the record is already in `out`.
          out.copyWithin(pos * recordBytes, previous * recordBytes, (previous + 1) * recordBytes);
          run = 1;
        } else {
          const cursor = this.cursor(f, file.headerBytes + local * recordBytes);
          await cursor.skipTo(file.headerBytes + local * recordBytes, signal);
          await cursor.read(out, pos * recordBytes, run * recordBytes, signal);
        }
      } else {
        plainReads.push(
          this.source
            .handle(file)
            .then((handle) =>
              readExactly(
                handle,
                file.path,
                out,
                pos * recordBytes,
                run * recordBytes,
                file.headerBytes + local * recordBytes,
              ),
            ),
        );
      }
      k += run;
    }
  }

  /** A cursor for file f that is not past byte `target`. */
  private cursor(f: number, target: number): GzipCursor {
    let cursor = this.cursors.get(f);
    if (cursor !== undefined && cursor.position > target) {
      cursor.close();
      cursor = undefined;
    }
    if (cursor === undefined) {
      cursor = new GzipCursor((this.source.files[f] as RecordFile).path);
      this.cursors.set(f, cursor);
    }
    return cursor;
  }

  close(): void {
    for (const cursor of this.cursors.values()) cursor.close();
    this.cursors.clear();
    this.onClose();
  }
}
