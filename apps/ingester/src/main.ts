import { runService } from '@caravan/platform';
import { IngesterModule } from './ingester.module';

runService({ service: 'ingester', rootModule: (config) => IngesterModule.forRoot(config) }).catch((error: Error) => {
  process.stderr.write(`caravan ingester: failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
