import { runService } from '@caravan/platform';
import { DispatcherModule } from './dispatcher.module';

runService({ service: 'dispatcher', rootModule: (config) => DispatcherModule.forRoot(config) }).catch(
  (error: Error) => {
    process.stderr.write(`caravan dispatcher: failed to start: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
