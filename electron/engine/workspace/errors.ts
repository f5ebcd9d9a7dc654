/** A workspace problem the user can act on; the message starts with the file concerned. */
export class WorkspaceError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'WorkspaceError';
  }
}

export const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
