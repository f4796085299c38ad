import { connect, type Socket } from 'node:net';
import { loadConfig } from '@keepwatch/config';
import { createLogger, openResources } from '@keepwatch/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, type BuiltApp } from '../src/build-app.js';

// A client that announces a body and sends it a byte a second: the socket is the point here, so a
// raw one, not inject() or fetch.
const token = 'admin-token-slow-body-0123456789';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

async function startApp(requestTimeoutMs?: number): Promise<number> {
  const { config } = await loadConfig({ env: { KEEPWATCH_SERVER_ADMIN_TOKEN: token } });
  const logger = createLogger({ name: 'test', level: 'silent' });
  const resources = openResources(config, logger);
  const built: BuiltApp = await buildApp({
    config,
    logger,
    resources,
    secret: 'x'.repeat(40),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(async () => {
    await built.close();
    await resources.close();
  });
  return (built.app.server.address() as { port: number }).port;
}

interface Trickle {
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from the first byte sent until the server closed the socket. */
  closed: Promise<number>;
  socket: Socket;
}

/** Sends `head`, then one byte of the announced body a second, until the server closes. */
function trickle(port: number, head: string): Trickle {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  const started = Date.now();
  const timer = setInterval(() => socket.write(' '), 1000);
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  socket.write(head);
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  closers.push(async () => {
    clearInterval(timer);
    socket.destroy();
  });
  return { received: () => received, closed, socket };
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> =>
  Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);

const post = (headers: string) =>
  `POST /api/backups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${headers}\r\n`;

describe('a request body that arrives a byte a second', () => {
  it('gets its early 401 and then the connection closes, not the socket held until the body is in', async () => {
    const port = await startApp();
    const client = trickle(port, post(''));
    const ms = await within(client.closed, 3000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(ms).toBeLessThan(3000);
  });

  it('is cut off with a 408 once requestTimeout has passed, within a second of it', async () => {
    const port = await startApp(2000);
    const client = trickle(port, post(`Authorization: Bearer ${token}\r\n`));
    const ms = await within(client.closed, 6000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(2000);
    // Node checks the timeout once a second (connectionsCheckingInterval), then answers.
    expect(ms).toBeLessThan(3500);
  });

  it('leaves keep-alive alone for requests that sent all they announced', async () => {
    const port = await startApp();
    const socket = connect(port, '127.0.0.1');
    closers.push(async () => socket.destroy());
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    let closed = false;
    socket.on('close', () => (closed = true));
    const answers = (n: number) =>
      vi.waitFor(
        () =>
          expect((received.match(/HTTP\/1\.1 \d{3} /g) ?? []).length, JSON.stringify(received)).toBeGreaterThanOrEqual(
            n,
          ),
        { timeout: 5000, interval: 10 },
      );
    socket.write('GET /healthcheck/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await answers(1);
    // A whole body with a wrong token: answered 401, and the connection stays usable.
    socket.write(
      'POST /api/backups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    await answers(2);
    socket.write('GET /healthcheck/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await answers(3);
    expect(received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 401', 'HTTP/1.1 200']);
    expect(received).not.toMatch(/connection: close/i);
    expect(closed).toBe(false);
  });
});
