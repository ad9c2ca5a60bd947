import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { PortalLinkEntity } from '@caravan/persistence';
import type { PortalRequest } from './portal.guard';

/** What a portal token grants: one link of one project. */
export interface PortalScope {
  link: PortalLinkEntity;
}

/** The link the guard found for the request's token. */
export const Portal = createParamDecorator((_data: unknown, context: ExecutionContext): PortalScope => {
  return context.switchToHttp().getRequest<PortalRequest>().portal as PortalScope;
});
