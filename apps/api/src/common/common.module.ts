import { DynamicModule, Global, Module } from '@nestjs/common';
import { AdminGuard } from './auth/admin.guard';
import { ADMIN_API_KEY, ApiKeyAuthenticator } from './auth/api-key-authenticator.service';
import { ProjectAccessGuard } from './auth/project-access.guard';
import { REQUEST_LIMITS, RequestLimits, RequestRateLimiter } from './rate-limit/request-rate.limiter';

/** Authentication and request limits shared by every resource module. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(adminApiKey: string | undefined, limits: RequestLimits): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: ADMIN_API_KEY, useValue: adminApiKey },
        { provide: REQUEST_LIMITS, useValue: limits },
        ApiKeyAuthenticator,
        ProjectAccessGuard,
        AdminGuard,
        RequestRateLimiter,
      ],
      exports: [ApiKeyAuthenticator, ProjectAccessGuard, AdminGuard, RequestRateLimiter],
    };
  }
}
