import { DynamicModule, Global, Module } from '@nestjs/common';
import { SsrfGuard } from '@caravan/domain';
import { AdminGuard } from './auth/admin.guard';
import { ADMIN_API_KEY, ApiKeyAuthenticator } from './auth/api-key-authenticator.service';
import { ProjectAccessGuard } from './auth/project-access.guard';
import { REQUEST_LIMITS, RequestLimits, RequestRateLimiter } from './rate-limit/request-rate.limiter';
import { API_SSRF_GUARD } from './ssrf-guard.token';

/** Authentication, request limits and the SSRF guard shared by every resource module. */
@Global()
@Module({})
export class CommonModule {
  /**
   * `ssrfAllowCidrs`: config.dispatcher.ssrfAllowCidrs (CARAVAN_SSRF_ALLOW_CIDRS), so what the
   * api calls out to (the OAuth2 connection test) is what the dispatcher may reach.
   */
  static forRoot(
    adminApiKey: string | undefined,
    limits: RequestLimits,
    ssrfAllowCidrs: readonly string[],
  ): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: ADMIN_API_KEY, useValue: adminApiKey },
        { provide: REQUEST_LIMITS, useValue: limits },
        { provide: API_SSRF_GUARD, useValue: new SsrfGuard(ssrfAllowCidrs) },
        ApiKeyAuthenticator,
        ProjectAccessGuard,
        AdminGuard,
        RequestRateLimiter,
      ],
      exports: [ApiKeyAuthenticator, ProjectAccessGuard, AdminGuard, RequestRateLimiter, API_SSRF_GUARD],
    };
  }
}
