import { DynamicModule, Global, Module } from '@nestjs/common';
import { AdminGuard } from './auth/admin.guard';
import { ADMIN_API_KEY, ApiKeyAuthenticator } from './auth/api-key-authenticator.service';
import { ProjectAccessGuard } from './auth/project-access.guard';

/** Authentication shared by every resource module. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(adminApiKey: string | undefined): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: ADMIN_API_KEY, useValue: adminApiKey },
        ApiKeyAuthenticator,
        ProjectAccessGuard,
        AdminGuard,
      ],
      exports: [ApiKeyAuthenticator, ProjectAccessGuard, AdminGuard],
    };
  }
}
