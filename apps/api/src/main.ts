import { runService } from '@caravan/observability';
import { ApiModule } from './api.module';

runService({ service: 'api', rootModule: (config) => ApiModule.forRoot(config) }).catch(
  (error: Error) => {
    process.stderr.write(`caravan api: failed to start: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
