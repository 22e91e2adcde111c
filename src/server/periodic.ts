// A job run again and again in the server process (mail dispatch, digest): one pass, then
// the next `intervalMs` after it ends; a failing pass is logged and the job goes on.

export function startPeriodic(
  name: string,
  intervalMs: number,
  pass: () => Promise<string | null>,
): { stop: () => void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      const line = await pass();
      if (line) console.log(`${name}: ${line}`);
    } catch (error) {
      console.error(`${name}:`, error instanceof Error ? error.message : error);
    }
    if (!stopped) timer = setTimeout(loop, intervalMs);
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
