import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Why the intake refused an event: a 400 naming the bad field, a 404 for a project that is
 * gone, a 413 for a body over the project's `max_payload_read_size`. An HttpException in
 * Convoy's error envelope, so the api answers it as is; the ingester reads `status` and
 * `message` to dead-letter or nack the message with the reason.
 */
export class EventRejectedException extends HttpException {
  constructor(
    status: HttpStatus.BAD_REQUEST | HttpStatus.NOT_FOUND | HttpStatus.PAYLOAD_TOO_LARGE,
    message: string,
    /** The request field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(field ? { status: false, message, errors: [{ field, message }] } : { status: false, message }, status);
  }
}
