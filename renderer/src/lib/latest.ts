/**
 * Latest-wins requests, for inputs where only the newest matters (a slider dragged across its range, the
 * selection moved with the arrow keys): at most one request is in flight; inputs that arrive meanwhile replace
 * one another, so a drag sends a handful of requests rather than one per pixel; a reply is delivered only when
 * nothing newer has been delivered and the helper has not been reset since it was asked for, so a slow old
 * reply never overwrites a newer picture.
 */

export interface LatestHandlers<I, O> {
  result(output: O, input: I): void;
  /** Told only about the newest request's failure; superseded requests fail silently. */
  error(error: unknown, input: I): void;
}

export class LatestWins<I, O> {
  /** Number of the newest push. */
  private seq = 0;
  /** Number of the newest request whose result was delivered. */
  private delivered = 0;
  /** Requests numbered at or below this were made before the last reset and are dropped. */
  private floor = 0;
  private running: Promise<void> | undefined;
  private next: { seq: number; input: I } | undefined;

  constructor(
    private readonly run: (input: I) => Promise<O>,
    private readonly handlers: LatestHandlers<I, O>,
  ) {}

  /** Asks for `input`; sent now when idle, or once the request in flight has answered. */
  push(input: I): void {
    const seq = ++this.seq;
    if (this.running !== undefined) {
      this.next = { seq, input };
      return;
    }
    this.running = this.loop(seq, input);
  }

  /** Forgets queued input and drops the replies of everything asked so far (the dataset changed). */
  reset(): void {
    this.floor = this.seq;
    this.next = undefined;
  }

  /** Whether a request is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves once nothing is in flight or queued. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async loop(seq: number, input: I): Promise<void> {
    let current: { seq: number; input: I } | undefined = { seq, input };
    while (current !== undefined) {
      await this.once(current.seq, current.input);
      current = this.next;
      this.next = undefined;
    }
    this.running = undefined;
  }

  private async once(seq: number, input: I): Promise<void> {
    try {
      const output = await this.run(input);
      if (seq > this.floor && seq > this.delivered) {
        this.delivered = seq;
        this.handlers.result(output, input);
      }
    } catch (error) {
      if (seq > this.floor && seq === this.seq) this.handlers.error(error, input);
    }
  }
}
