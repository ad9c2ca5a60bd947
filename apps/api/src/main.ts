import { runService } from '@caravan/platform';
import { ApiModule } from './api.module';
import { join } from 'node:path';
import { configureApi } from './configure-api';

runService({
  service: 'api',
  rootModule: (config) => ApiModule.forRoot(config),
  nestOptions: { rawBody: true },
  // The api's build copies the dashboard's assets next to main.js (see webpack.config.js).
  configure: (app, config) => configureApi(app, config, { dashboardDir: join(__dirname, 'dashboard') }),
}).catch((error: Error) => {
  process.stderr.write(`caravan api: failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
