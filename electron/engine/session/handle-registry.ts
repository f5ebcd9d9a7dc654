/**
 * Things the UI has open in the engine (models, datasets) under ids, bounded: a path opened again while its
 * files are unchanged gets the open copy back, and past the limit the least recently used one that nothing
 * holds is closed. The host lives as long as the app, so without this every open stayed in memory for good.
 */

export interface HandleRegistryOptions<T> {
  /** 'model' or 'dataset', for messages. */
  noun: string;
  /** Ids are the prefix and a counter: `model-3`. */
  prefix: string;
  /** Open handles past which idle ones are closed (more stay open while jobs or requests hold them). */
  limit: number;
  /** Frees what an open handle holds (tensors, file handles). */
  close: (value: T) => void | Promise<void>;
}

/** A request named a handle that was closed to make room: opening the same path again brings it back. */
export class HandleClosedError extends Error {
  override name = 'HandleClosedError';
}

/** Ids of handles that jobs use (queued or running): never closed to make room. */
export type InUse = (id: string) => boolean;

interface Slot<T> {
  value: T;
  /** What it was opened from (path, options, state of the files); undefined: never shared. */
  key: string | undefined;
}

/**
 * Closed ids remembered so that using one says why it failed, and so that reopening the same unchanged
 * files gives the old id back (the UI's results stay attached to it). A line each; old ones are forgotten.
 */
const REMEMBERED_CLOSED = 1024;

export class HandleRegistry<T> {
  /** Least recently used first: a use moves a handle to the end. */
  private readonly open = new Map<string, Slot<T>>();
  /** id → key of handles closed to make room, oldest first. */
  private readonly closed = new Map<string, string | undefined>();
  /** Opens in progress, by key, so two requests for the same files load them once. */
  private readonly loading = new Map<string, Promise<unknown>>();
  /** Requests in progress that use a handle: it is not closed under them. */
  private readonly holds = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly options: HandleRegistryOptions<T>) {}

  /**
   * The handle for `key`: the open one, or a new one from `load`. Opening may close least recently used
   * handles past the limit, never one in `inUse` or held by a request.
   */
  async add(
    key: string | undefined,
    load: () => Promise<T>,
    inUse: InUse = () => false,
  ): Promise<{ id: string; value: T; reused: boolean }> {
    if (key !== undefined) {
      // If that open fails, this one tries again and reports its own error.
      for (let pending = this.loading.get(key); pending !== undefined; pending = this.loading.get(key))
        await pending.catch(() => undefined);
      const id = this.openIdOf(key);
      if (id !== undefined) return { id, value: this.get(id), reused: true };
    }
    const loaded = load();
    if (key !== undefined) this.loading.set(key, loaded);
    let value: T;
    try {
      value = await loaded;
    } finally {
      if (key !== undefined) this.loading.delete(key);
    }
    const id = this.closedIdOf(key) ?? `${this.options.prefix}-${this.nextId++}`;
    this.closed.delete(id);
    this.open.set(id, { value, key });
    await this.makeRoom(id, inUse);
    return { id, value, reused: false };
  }

  /** An open handle's value, marked as just used; a clear error for a closed or unknown id. */
  get(id: string): T {
    const slot = this.open.get(id);
    if (slot === undefined) {
      if (this.closed.has(id))
        throw new HandleClosedError(
          `${this.options.noun} handle ${id} was closed to free memory: open it again`,
        );
      throw new Error(`${this.options.noun} ${id} is not open (open it again)`);
    }
    this.open.delete(id);
    this.open.set(id, slot);
    return slot.value;
  }

  /** Runs `work` with these handles (those not undefined) kept open; each must be open now. */
  async holding<R>(ids: readonly (string | undefined)[], work: () => Promise<R>): Promise<R> {
    const held = ids.filter((id): id is string => id !== undefined);
    for (const id of held) this.get(id);
    for (const id of held) this.holds.set(id, (this.holds.get(id) ?? 0) + 1);
    try {
      return await work();
    } finally {
      for (const id of held) {
        const left = (this.holds.get(id) ?? 1) - 1;
        if (left === 0) this.holds.delete(id);
        else this.holds.set(id, left);
      }
    }
  }

  /** Every open handle with its id, least recently used first. */
  entries(): { id: string; value: T }[] {
    return [...this.open.entries()].map(([id, slot]) => ({ id, value: slot.value }));
  }

  get size(): number {
    return this.open.size;
  }

  /** Closes every handle (the host is stopping); their ids then fail as unknown. */
  async closeAll(): Promise<void> {
    const values = [...this.open.values()].map((s) => s.value);
    this.open.clear();
    this.closed.clear();
    await Promise.all(values.map(async (v) => this.options.close(v)));
  }

  private openIdOf(key: string): string | undefined {
    for (const [id, slot] of this.open) if (slot.key === key) return id;
    return undefined;
  }

  private closedIdOf(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    for (const [id, closedKey] of this.closed) if (closedKey === key) return id;
    return undefined;
  }

  /** Closes least recently used idle handles until the limit holds (or none is idle). */
  private async makeRoom(justOpened: string, inUse: InUse): Promise<void> {
    let over = this.open.size - this.options.limit;
    if (over <= 0) return;
    const victims: T[] = [];
    for (const [id, slot] of this.open) {
      if (over === 0) break;
      if (id === justOpened || this.holds.has(id) || inUse(id)) continue;
      this.open.delete(id);
      this.closed.set(id, slot.key);
      victims.push(slot.value);
      over--;
    }
    while (this.closed.size > REMEMBERED_CLOSED) {
      const oldest = this.closed.keys().next().value as string;
      this.closed.delete(oldest);
    }
    // Taken out of the table first, closed after: no request can get a handle that is being closed. A close
    // that fails (a file handle already gone) leaves nothing to retry, and must not fail the open that asked.
    await Promise.allSettled(victims.map(async (v) => this.options.close(v)));
  }
}
