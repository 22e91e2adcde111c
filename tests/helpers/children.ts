// Runs tests/helpers/jobs-child.ts in several processes that start at the same moment.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts one child per argument list, lets them all go at once, and resolves to their JSON reports. */
export async function runJobsTogether<T>(argLists: string[][]): Promise<T[]> {
  const children = argLists.map((args) => {
    const child = spawn(process.execPath, ['tests/helpers/jobs-child.ts', ...args], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('ready\n') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${err}`)));
    });
    const done = new Promise<T>((resolve, reject) =>
      child.once('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T)
          : reject(new Error(`child exited (${code}): ${err}`)),
      ),
    );
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.done));
}
