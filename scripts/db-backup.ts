// npm run db:backup [-- <file or folder>] — a consistent snapshot of the embedded database
// (DATABASE_URL=file:…) while the server runs, by default backups/<name>-<date>.db. A
// libSQL server (libsql://) is backed up by its provider: see docs/deployment.md.
import { BackupError, backupDatabase } from '../db/backup.ts';
import { ConfigError, readConfig, runMain } from './lib/config.ts';

await runMain(async () => {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length > 1 || args.some((a) => a.startsWith('-')))
    throw new ConfigError('Usage: npm run db:backup [-- <file or folder>]');
  const config = readConfig();
  try {
    const { path, bytes } = await backupDatabase(String(config.DATABASE_URL), args[0]);
    console.log(`Backup written: ${path} (${(bytes / 1024 / 1024).toFixed(1)} MiB).`);
  } catch (error) {
    if (error instanceof BackupError) throw new ConfigError(error.message);
    throw error;
  }
});
