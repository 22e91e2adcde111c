// A local HTTP server standing in for Resend's API: records every request the real SDK
// sends and answers from a script of responses (status, body, headers).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** No answer at all (a provider that hangs): the connection stays open until closed. */
  hang?: boolean;
}

export async function startRecorder(
  script: (n: number, req: RecordedRequest) => ScriptedResponse = () => ({ status: 200 }),
) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: raw ? JSON.parse(raw) : null,
      };
      requests.push(recorded);
      const answer = script(requests.length, recorded);
      if (answer.hang) return;
      const body =
        answer.body ??
        (answer.status < 300
          ? { id: `email-${requests.length}` }
          : {
              statusCode: answer.status,
              name: answer.status === 429 ? 'rate_limit_exceeded' : 'internal_server_error',
              message: 'scripted',
            });
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(body));
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        // Hanging answers keep their sockets open: end them.
        for (const s of sockets) s.destroy();
      }),
  };
}
