import { createServer, type IncomingHttpHeaders } from 'node:http';

/** One request a receiver got, body read whole. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `performance.now()` when the body had arrived. */
  at: number;
}

/** The status to answer with, or `hang`: accept, read, and never answer. */
export type ReceiverAnswer = number | 'hang';

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived; rejects naming what did arrive after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Ends every connection, a hanging one too. */
  close(): Promise<void>;
}

/**
 * A webhook or dead-man's-switch receiver on a free loopback port that records every request,
 * for notification tests. `answer` chooses each response (default 200).
 */
export async function httpReceiver(
  answer: (request: ReceivedRequest) => ReceiverAnswer = () => 200,
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: performance.now(),
      };
      requests.push(received);
      for (const wake of waiters) wake();
      const status = answer(received);
      if (status !== 'hang') res.writeHead(status, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          cleanup();
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
          reject(new Error(`expected ${count} requests within ${timeoutMs} ms; got: ${seen}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
