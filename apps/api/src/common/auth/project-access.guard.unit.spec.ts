import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import type { ProjectsRepository } from '@caravan/persistence';
import type { RequestRateLimiter } from '../rate-limit/request-rate.limiter';
import type { ApiKeyAuthenticator } from './api-key-authenticator.service';
import type { AuthenticatedRequest, Principal } from './principal';
import { ProjectAccessGuard } from './project-access.guard';

describe('ProjectAccessGuard', () => {
  const projectKey: Principal = { kind: 'project', projectId: 'p1', keyId: 'k1', expiresAt: null };

  function setUp() {
    const authenticate = jest.fn(async (): Promise<Principal> => projectKey);
    const checkProject = jest.fn(async () => undefined);
    const guard = new ProjectAccessGuard(
      { authenticate } as unknown as ApiKeyAuthenticator,
      { checkProject } as unknown as RequestRateLimiter,
      { findById: jest.fn() } as unknown as ProjectsRepository,
    );
    const contextFor = (request: Partial<AuthenticatedRequest>) =>
      ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
    return { guard, authenticate, checkProject, contextFor };
  }

  it('authenticates a request that was not authenticated before its body was read', async () => {
    const { guard, authenticate, contextFor } = setUp();
    const request: Partial<AuthenticatedRequest> = {
      headers: { authorization: 'Bearer x' },
      params: { projectID: 'p1' },
    };
    await expect(guard.canActivate(contextFor(request))).resolves.toBe(true);
    expect(authenticate).toHaveBeenCalledTimes(1);
    expect(request.principal).toEqual(projectKey);
  });

  it('reuses the principal found before the body was read instead of hashing the key again', async () => {
    const { guard, authenticate, checkProject, contextFor } = setUp();
    const request = { headers: {}, params: { projectID: 'p1' }, principal: projectKey };
    await expect(guard.canActivate(contextFor(request))).resolves.toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
    expect(checkProject).toHaveBeenCalledWith('p1');
  });

  it("still refuses another project's route with the reused principal", async () => {
    const { guard, contextFor } = setUp();
    const request = { headers: {}, params: { projectID: 'p2' }, principal: projectKey };
    await expect(guard.canActivate(contextFor(request))).rejects.toBeInstanceOf(ForbiddenException);
  });
});
