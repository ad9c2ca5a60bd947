import { runService } from '@caravan/observability';
import { ApiModule } from './api.module';
import { configureApi } from './configure-api';

runService({
  service: 'api',
  rootModule: (config) => ApiModule.forRoot(config),
  nestOptions: { rawBody: true },
  configure: configureApi,
}).catch((error: Error) => {
  process.stderr.write(`caravan api: failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
