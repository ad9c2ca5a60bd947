/** A page cursor that is not a ULID; the API answers 400. */
export class InvalidPageCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`Invalid page cursor: ${cursor}`);
    this.name = 'InvalidPageCursorError';
  }
}
