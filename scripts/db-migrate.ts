// npm run db:migrate — applies committed migrations and loads the referential if needed.
import { readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';

await runMain(async () => {
  const db = await prepareDb(readConfig(), { demo: false });
  db.$client.close();
  console.log('Database is up to date.');
});
