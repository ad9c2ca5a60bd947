import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The `:projectID` route parameter, already checked against the caller's key by the guard. */
export const ProjectId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<Request>().params['projectID'] as string;
});
