import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrumentRequestListener } from '../src/node-http.js';
import { describeAdapterConformance } from './helpers/adapter-conformance.js';

/** The app's own tiny router: plain node:http apps route by hand, and tell the wrapper what matched. */
function route(request: IncomingMessage): string | undefined {
  if (request.method !== 'GET') return undefined;
  const path = (request.url ?? '').split('?')[0]!;
  if (/^\/orders\/[^/]+$/.test(path)) return '/orders/:id';
  if (path === '/orders') return 'order-list';
  if (path === '/boom' || path === '/healthcheck/' || path === '/metrics') return path;
  return undefined;
}

describeAdapterConformance('node:http', async (recorder) => {
  const server = createServer(
    instrumentRequestListener(
      (request, response) => {
        const name = route(request);
        if (name === undefined) response.writeHead(404).end('not found');
        else if (name === '/boom') response.writeHead(500).end('boom');
        else response.writeHead(200).end('ok');
      },
      { recorder, route },
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
