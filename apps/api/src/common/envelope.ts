/** Convoy's response envelope. */
export interface Envelope<T> {
  status: true;
  message: string;
  data: T;
}

export function envelope<T>(message: string, data: T): Envelope<T> {
  return { status: true, message, data };
}
