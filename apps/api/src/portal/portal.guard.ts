import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { hashApiKeySecret } from '@caravan/domain';
import { PortalLinksRepository } from '@caravan/persistence';
import type { PortalScope } from './portal-scope';

export interface PortalRequest extends Request {
  portal?: PortalScope;
}

/**
 * Customer portal routes: `Authorization: Bearer <portal token>`. The token finds its link
 * (and so its project and owner); nothing the customer sends can widen that scope.
 */
@Injectable()
export class PortalGuard implements CanActivate {
  constructor(private readonly links: PortalLinksRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PortalRequest>();
    request.portal = await this.authenticate(request.headers.authorization);
    return true;
  }

  /** The scope of a `Bearer <portal token>` header; also run before a request's body is read. */
  async authenticate(authorization: string | undefined): Promise<PortalScope> {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new UnauthorizedException('Authentication required: a portal link token');
    const link = await this.links.findActiveByTokenHash(hashApiKeySecret(token));
    if (!link) throw new UnauthorizedException('Invalid or revoked portal link token');
    return { link };
  }
}
