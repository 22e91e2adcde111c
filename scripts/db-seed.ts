// npm run db:seed — migrates, then fills an empty database with the demo data.
// Refuses to touch a database that already has territories (never re-seeds over data).
import { createDb } from '../db/client.ts';
import { databaseIsEmpty } from '../db/seed/demo.ts';
import { readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';

await runMain(async () => {
  // Demo data: without TOTP_KEY, the demo staff's TOTP keys are sealed with the development key.
  process.env.APP_ENV ??= 'demo';
  const config = readConfig();
  const probe = await createDb(String(config.DATABASE_URL), config.DATABASE_AUTH_TOKEN as string | undefined);
  const wasEmpty = await databaseIsEmpty(probe).catch(() => true);
  probe.$client.close();
  const db = await prepareDb(config, { demo: true });
  db.$client.close();
  if (!wasEmpty) console.log('The database already has data: the demo seed was not applied.');
});
