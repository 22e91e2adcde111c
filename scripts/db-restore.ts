// npm run db:restore -- <backup file> — replaces the embedded database (DATABASE_URL=file:…)
// with a backup of `npm run db:backup`, once the backup is checked (integrity, migrations
// this version knows). Stop the server first: a database open in another process is
// refused. The replaced database is kept beside it (<file>.before-restore-<date>).
import { BackupError, restoreDatabase } from '../db/backup.ts';
import { ConfigError, readConfig, runMain } from './lib/config.ts';

await runMain(async () => {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length !== 1 || args[0]!.startsWith('-'))
    throw new ConfigError('Usage: npm run db:restore -- <backup file>');
  const config = readConfig();
  try {
    const { target, kept, migrationsBehind } = await restoreDatabase(args[0]!, String(config.DATABASE_URL));
    console.log(`Restored ${args[0]} to ${target}.`);
    if (kept) console.log(`The database it replaced is kept as ${kept}.`);
    if (migrationsBehind)
      console.log(
        `The backup lacks ${migrationsBehind} migration(s): the next start (or npm run db:migrate) applies them.`,
      );
  } catch (error) {
    if (error instanceof BackupError) throw new ConfigError(error.message);
    throw error;
  }
});
