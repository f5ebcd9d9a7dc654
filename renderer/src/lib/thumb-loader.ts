/**
 * Fetches thumbnails for the cells in view of a virtualised grid, without request storms: the grid says which
 * indices it wants now (replacing what it wanted before); missing ones are fetched in chunks of at most
 * `chunkSize`, at most `maxInFlight` requests at a time, and indices that scrolled out of view before their
 * chunk was sent are never asked for. Replies go into an LRU cache as RGBA, and listeners hear which indices
 * arrived so they repaint just those. Pure (no DOM): the fetch function is injected.
 */
import type { Images } from '../../../shared/bridge/schemas.ts';
import { LruCache } from './lru.ts';
import { imageByteLength, toRgbaThumbnail, type RgbaImage } from './pixels.ts';

export type FetchImages = (indices: number[]) => Promise<Images>;

export interface ThumbLoaderOptions {
  /** Most indices per request (the bridge allows 512; fewer keeps each reply quick). */
  chunkSize: number;
  maxInFlight: number;
  /** Longest side a cached thumbnail keeps; larger images are averaged down. */
  maxSide: number;
  cache: LruCache<number, RgbaImage>;
  /** Told when a request fails; its indices are not asked for again until `retry()`. */
  onError?: (error: unknown) => void;
}

/** Bytes one request should carry at most, so chunks of large images stay small. */
const TARGET_REPLY_BYTES = 4 * 1024 * 1024;

/** Indices per request for images of a size: at most `limit`, fewer for large images, at least one. */
export function chunkSizeFor(width: number, height: number, channels: 1 | 3, limit: number): number {
  const perImage = Math.max(1, width * height * channels);
  return Math.max(1, Math.min(limit, Math.floor(TARGET_REPLY_BYTES / perImage)));
}

export class ThumbLoader {
  private wanted: readonly number[] = [];
  private readonly inFlight = new Set<number>();
  private readonly failed = new Set<number>();
  private requests = 0;
  private disposed = false;
  private readonly listeners = new Set<(indices: number[]) => void>();

  constructor(
    private readonly fetchImages: FetchImages,
    private readonly options: ThumbLoaderOptions,
  ) {}

  /** Replaces the set of wanted indices (in the order they should load) and sends what is missing. */
  want(indices: readonly number[]): void {
    this.wanted = indices;
    this.pump();
  }

  /** A cached thumbnail, marking it recently used. */
  get(index: number): RgbaImage | undefined {
    return this.options.cache.get(index);
  }

  onLoaded(listener: (indices: number[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets failures and asks again for what is wanted (after the connection came back). */
  retry(): void {
    this.failed.clear();
    this.pump();
  }

  /** Stops all work: replies still on their way are dropped, listeners forgotten. */
  dispose(): void {
    this.disposed = true;
    this.wanted = [];
    this.listeners.clear();
  }

  /** Requests now in flight (for tests and diagnostics). */
  get pending(): number {
    return this.requests;
  }

  private pump(): void {
    while (!this.disposed && this.requests < this.options.maxInFlight) {
      const chunk = this.nextChunk();
      if (chunk.length === 0) return;
      void this.load(chunk);
    }
  }

  private nextChunk(): number[] {
    const chunk: number[] = [];
    const cache = this.options.cache;
    for (const index of this.wanted) {
      if (chunk.length >= this.options.chunkSize) break;
      if (cache.has(index) || this.inFlight.has(index) || this.failed.has(index)) continue;
      chunk.push(index);
    }
    return chunk;
  }

  private async load(chunk: number[]): Promise<void> {
    this.requests++;
    for (const i of chunk) this.inFlight.add(i);
    try {
      const images = await this.fetchImages(chunk);
      if (this.disposed) return;
      this.store(images);
      const arrived = images.indices;
      for (const l of this.listeners) l(arrived);
    } catch (error) {
      if (this.disposed) return;
      for (const i of chunk) this.failed.add(i);
      this.options.onError?.(error);
    } finally {
      for (const i of chunk) this.inFlight.delete(i);
      this.requests--;
      this.pump();
    }
  }

  private store(images: Images): void {
    const bytes = imageByteLength(images.width, images.height, images.channels);
    images.indices.forEach((index, k) => {
      const thumb = toRgbaThumbnail(
        images.pixels,
        k * bytes,
        images.width,
        images.height,
        images.channels,
        this.options.maxSide,
      );
      this.options.cache.set(index, thumb, thumb.rgba.byteLength);
    });
  }
}
