import { loadConfig } from '@caravan/config';
import { runMigrations } from '@caravan/persistence';

/** Applies pending migrations to CARAVAN_DATABASE_URL and exits: the deploy-time step. */
async function migrate(): Promise<void> {
  const config = loadConfig('api');
  const applied = await runMigrations(config.database.url);
  process.stdout.write(
    applied.length === 0 ? 'migrate: database is up to date\n' : `migrate: applied ${applied.join(', ')}\n`,
  );
}

migrate().catch((error: Error) => {
  process.stderr.write(`migrate: failed: ${error.message}\n`);
  process.exit(1);
});
