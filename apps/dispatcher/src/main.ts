import { KafkaBatchServer } from '@caravan/messaging';
import { runService } from '@caravan/platform';
import { DispatcherModule } from './dispatcher.module';

runService({
  service: 'dispatcher',
  rootModule: (config) => DispatcherModule.forRoot(config),
  // The router's and the sender's consumers, as a Nest microservice beside the HTTP endpoints.
  transports: (app) => [app.get(KafkaBatchServer)],
}).catch((error: Error) => {
  process.stderr.write(`caravan dispatcher: failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
