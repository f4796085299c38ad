import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { fastifyMetrics } from '../src/index.js';
import { describeAdapterConformance } from './helpers/adapter-conformance.js';

describeAdapterConformance('fastify', async (recorder) => {
  const app = Fastify();
  await app.register(fastifyMetrics, { recorder });
  app.get('/orders/:id', async () => 'ok');
  app.get('/orders', { config: { urlName: 'order-list' } }, async () => 'ok');
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/healthcheck/', async () => '');
  app.get('/metrics', async () => 'metrics');
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
});
