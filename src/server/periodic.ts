// A job run again and again in the server process (mail dispatch, digest): one pass, then
// the next `intervalMs` after it ends; a failing pass is logged and the job goes on.
import { errorFields, log } from '../lib/log.ts';

/** A job that runs now and then every interval; `firstPass` settles when its first run ended (or failed). */
export interface Periodic {
  stop: () => void;
  firstPass: Promise<void>;
}

export function startPeriodic(name: string, intervalMs: number, pass: () => Promise<string | null>): Periodic {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      const line = await pass();
      if (line) log.info({ job: name }, line);
      log.debug({ job: name }, 'pass done');
    } catch (error) {
      log.error({ job: name, ...errorFields(error) }, `${name} failed`);
    }
    if (!stopped) timer = setTimeout(loop, intervalMs);
  };
  // Each job's first pass in a turn of the event loop of its own: started together, the
  // server's jobs held the loop 160-190 ms at once as the port opened (reads are synchronous).
  const firstPass = new Promise<void>((resolve) => setImmediate(() => void loop().then(resolve)));
  return {
    firstPass,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
