import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import type { AuthenticatedRequest } from './principal';

/** Instance-level routes (creating projects): the admin key only. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // A request with a body was authenticated before its body was read (authenticateBeforeBody).
    const principal = request.principal ?? (await this.authenticator.authenticate(request.headers.authorization));
    request.principal = principal;
    if (principal.kind !== 'admin') {
      throw new ForbiddenException('this route needs the instance admin key');
    }
    return true;
  }
}
