import { CanActivate, ExecutionContext, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ProjectsRepository } from '@caravan/persistence';
import { RequestRateLimiter } from '../rate-limit/request-rate.limiter';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import type { AuthenticatedRequest } from './principal';

/**
 * Routes under /projects/:projectID: the admin key, or a key of that very project. A key of
 * another project is a 403 (Convoy answers 401; telling "wrong project" apart helps callers).
 * The admin key names any project, so an unknown (or deleted) one is a 404 here, before a
 * handler can write rows that point at it. An authorised request then counts against the
 * project's request limit (429 past it).
 */
@Injectable()
export class ProjectAccessGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: RequestRateLimiter,
    private readonly projects: ProjectsRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // A request with a body was authenticated before its body was read (authenticateBeforeBody).
    const principal = request.principal ?? (await this.authenticator.authenticate(request.headers.authorization));
    request.principal = principal;
    const projectId = request.params['projectID'];
    if (projectId !== undefined && principal.kind === 'project' && principal.projectId !== projectId) {
      throw new ForbiddenException('this API key does not belong to that project');
    }
    if (typeof projectId === 'string' && principal.kind === 'admin' && !(await this.projects.findById(projectId))) {
      throw new NotFoundException(`project ${projectId} not found`);
    }
    if (typeof projectId === 'string') await this.limiter.checkProject(projectId);
    return true;
  }
}
