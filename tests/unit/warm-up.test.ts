// The start's warm-up: each public page once, then the first offer that /offres lists, on a
// loopback server that is closed afterwards; a failing page does not stop the start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPortalServer } from '../../scripts/lib/server.ts';
import { WARM_PATHS, warmUp } from '../../scripts/lib/warm-up.ts';

function recording(answer: (url: string, res: ServerResponse) => void) {
  const asked: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    asked.push(req.url ?? '');
    answer(req.url ?? '', res);
  };
  return { asked, handler };
}

const html = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(body);
};

describe('warm-up', () => {
  it('asks every public page, then the first offer of /offres, and closes its server', async () => {
    const { asked, handler } = recording((url, res) =>
      html(
        res,
        200,
        url === '/offres'
          ? '<a href="/offres/42-longere-a-auch">Longère</a><a href="/offres/7-grange">Grange</a>'
          : 'ok',
      ),
    );
    const server = createPortalServer(handler);
    await warmUp(server);
    expect(asked).toEqual([...WARM_PATHS, '/offres/42-longere-a-auch']);
    expect(server.listening).toBe(false);
  });

  it('goes on past pages that fail, and resolves', async () => {
    const { asked, handler } = recording((url, res) => {
      if (url === '/') html(res, 500, 'boom');
      else if (url === '/offres') res.socket?.destroy();
      else html(res, 200, 'no offer here');
    });
    const server = createPortalServer(handler);
    await warmUp(server);
    expect(asked).toEqual(WARM_PATHS);
    expect(server.listening).toBe(false);
  });
});
