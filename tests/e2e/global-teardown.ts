// After the whole e2e run: the portals' logs hold no personal data — no seeded or created
// family's or owner's email, name or phone (each worker's portal left its logs and that
// list in test-results/e2e/portal-logs, see keepLogs in fixtures.ts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logsDir } from './fixtures.ts';

export default async function checkLogs(): Promise<void> {
  const files = await readdir(logsDir).catch(() => [] as string[]);
  const leaks: string[] = [];
  let lines = 0;
  for (const file of files) {
    const { logs, personal } = JSON.parse(await readFile(join(logsDir, file), 'utf8')) as {
      logs: string;
      personal: string[];
    };
    const logLines = logs.split('\n');
    lines += logLines.length;
    // Short values ("Lou") could be any word: names and phones of at least 6 characters.
    for (const value of personal.filter((v) => v.trim().length >= 6)) {
      const line = logLines.find((l) => l.includes(value));
      if (line) leaks.push(`${file}: "${value}" in ${line.slice(0, 200)}`);
    }
    for (const line of logLines)
      if (line.trim() && !line.startsWith('{')) leaks.push(`${file}: a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (leaks.length)
    throw new Error(`Personal data or unstructured lines in the portal logs:\n${leaks.slice(0, 20).join('\n')}`);
  if (files.length) console.log(`Portal logs: ${lines} lines from ${files.length} portal(s), no personal data.`);
}
