import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressMetrics, urlName } from '../src/express.js';
import { describeAdapterConformance } from './helpers/adapter-conformance.js';

describeAdapterConformance('express', async (recorder) => {
  const app = express();
  app.use(expressMetrics({ recorder }));
  // A mounted router: the pattern must include its mount path.
  const orders = express.Router();
  orders.get('/:id', (_req, res) => {
    res.send('ok');
  });
  orders.get('/', urlName('order-list'), (_req, res) => {
    res.send('ok');
  });
  app.use('/orders', orders);
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/healthcheck/', (_req, res) => {
    res.send('');
  });
  app.get('/metrics', (_req, res) => {
    res.send('metrics');
  });
  // Express's final handler logs thrown errors to stderr; keep the test output clean.
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send('error');
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
