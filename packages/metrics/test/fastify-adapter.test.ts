import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MetricFamily, type MetricsStore, createMetricsExposition, createMetricsStore } from '../src/index.js';
import { fastifyMetrics } from '../src/fastify.js';
import { describeAdapterConformance } from './helpers/adapter-conformance.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { familyValue } from './helpers/samples.js';

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

// What a user of the plugin would notice, each test on its own app, store and key prefix,
// over real HTTP against the real Redis.
type Setup = (app: FastifyInstance, store: MetricsStore) => Promise<void> | void;

interface Started {
  instance: FastifyInstance;
  send(path: string, init?: RequestInit): Promise<{ status: number; body: string; headers: Headers }>;
  /** `'<method> <url_name> <status> = <count>'` for every request series, sorted. */
  series(): Promise<string[]>;
  families(): Promise<MetricFamily[]>;
}

describe('fastifyMetrics', () => {
  let redis: Redis;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => {
    redis?.disconnect();
  });

  async function start(setup: Setup): Promise<Started> {
    const prefix = uniquePrefix('fastify-plugin');
    const store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
    cleanups.push(() => deletePrefix(redis, prefix));
    cleanups.push(() => store.close());
    const app = Fastify();
    cleanups.push(() => app.close());
    await setup(app, store);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const families = async () => {
      await store.flush();
      return store.read();
    };
    return {
      instance: app,
      async send(path, init = {}) {
        const response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
        return { status: response.status, body: await response.text(), headers: response.headers };
      },
      families,
      async series() {
        const family = (await families()).find((f) => f.name === 'pretix_view_requests_total');
        return (family?.values ?? [])
          .map((v) => `${v.labels.method} ${v.labels.url_name} ${v.labels.status_code} = ${v.value}`)
          .sort();
      },
    };
  }

  it('collapses a parametrised route into one series, and config.urlName wins over the pattern', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/orders/:id', async () => 'ok');
      app.get('/orders/:id/items', { config: { urlName: 'order-items' } }, async () => 'ok');
      app.post('/orders/:id', async (_request, reply) => reply.code(201).send('made'));
    });
    for (const path of ['/orders/1', '/orders/2', '/orders/3?x=y', '/orders/1/items', '/orders/2/items']) {
      expect((await app.send(path)).status).toBe(200);
    }
    expect((await app.send('/orders/9', { method: 'POST' })).status).toBe(201);
    expect(await app.series()).toEqual([
      'GET /orders/:id 200 = 3',
      'GET order-items 200 = 2',
      'POST /orders/:id 201 = 1',
    ]);
    const h = 'pretix_view_durations_seconds';
    const families = await app.families();
    expect(familyValue(families, h, { url_name: '/orders/:id', method: 'GET', status_code: '200' }, `${h}_count`)).toBe(
      3,
    );
  });

  it('puts requests that match no route under the fixed unmatched name, also from a custom not-found handler', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/orders/:id', async () => 'ok');
      await app.register(
        async (child) => {
          child.setNotFoundHandler(async (_request, reply) => reply.code(410).send('gone'));
        },
        { prefix: '/old' },
      );
    });
    expect((await app.send('/no/such/1')).status).toBe(404);
    expect((await app.send('/no/such/2?q=1')).status).toBe(404);
    expect((await app.send('/no/such', { method: 'POST' })).status).toBe(404);
    expect((await app.send('/old/page')).status).toBe(410);
    expect((await app.send('/orders')).status).toBe(404);
    expect(await app.series()).toEqual([
      'GET __unmatched__ 404 = 3',
      'GET __unmatched__ 410 = 1',
      'POST __unmatched__ 404 = 1',
    ]);
  });

  it('uses the unmatchedName option', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder, unmatchedName: 'not-found' });
    });
    expect((await app.send('/nothing')).status).toBe(404);
    expect(await app.series()).toEqual(['GET not-found 404 = 1']);
  });

  it("records a HEAD request to a GET route once, as HEAD, under the GET route's name", async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/page/:slug', async () => 'a page');
      app.get('/named', { config: { urlName: 'named-page' } }, async () => 'named');
      app.route({ method: ['GET', 'HEAD'], url: '/both', handler: async () => 'both' });
    });
    const head = await app.send('/page/x', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('6');
    expect((await app.send('/page/y')).status).toBe(200);
    expect((await app.send('/named', { method: 'HEAD' })).status).toBe(200);
    expect((await app.send('/both', { method: 'HEAD' })).status).toBe(200);
    expect((await app.send('/both')).status).toBe(200);
    expect(await app.series()).toEqual([
      'GET /both 200 = 1',
      'GET /page/:slug 200 = 1',
      'HEAD /both 200 = 1',
      'HEAD /page/:slug 200 = 1',
      'HEAD named-page 200 = 1',
    ]);
  });

  it("keeps a route's own onSend hooks working and records the route once", async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      const shared = [
        (
          _request: FastifyRequest,
          reply: FastifyReply,
          payload: unknown,
          done: (err: null, payload: unknown) => void,
        ) => {
          reply.header('x-first', 'yes');
          done(null, payload);
        },
        async (_request: FastifyRequest, _reply: FastifyReply, payload: unknown) => `${String(payload)}!`,
      ];
      app.get(
        '/one',
        { onSend: (_request, _reply, payload, done) => done(null, `${String(payload)} (one)`) },
        async () => 'hi',
      );
      // The same array on two routes (and on /two's automatic HEAD route): none may gain a hook twice.
      app.get('/two', { onSend: shared }, async () => 'hello');
      app.get('/three', { onSend: shared }, async () => 'hey');
      // An onSend hook may change the status; the metrics see the status that is sent.
      app.get(
        '/teapot',
        {
          onSend: (_request, reply, payload, done) => {
            reply.code(418);
            done(null, payload);
          },
        },
        async () => 'tea',
      );
    });
    expect((await app.send('/one')).body).toBe('hi (one)');
    const two = await app.send('/two');
    expect(two.body).toBe('hello!');
    expect(two.headers.get('x-first')).toBe('yes');
    expect((await app.send('/two', { method: 'HEAD' })).headers.get('x-first')).toBe('yes');
    expect((await app.send('/three')).body).toBe('hey!');
    expect((await app.send('/teapot')).status).toBe(418);
    expect(await app.series()).toEqual([
      'GET /one 200 = 1',
      'GET /teapot 418 = 1',
      'GET /three 200 = 1',
      'GET /two 200 = 1',
      'HEAD /two 200 = 1',
    ]);
  });

  it('records the routes of encapsulated child plugins, with their prefixes', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      await app.register(
        async (v1) => {
          v1.get('/items/:id', async () => 'item');
          // A prefix's root route answers at /v1 and /v1/; both are the route /v1.
          v1.get('/', async () => 'root');
          await v1.register(
            async (admin) => {
              admin.addHook('onSend', (_request, reply, payload, done) => {
                reply.header('x-admin', '1');
                done(null, payload);
              });
              admin.get('/users', { config: { urlName: 'admin-users' } }, async () => 'users');
            },
            { prefix: '/admin' },
          );
        },
        { prefix: '/v1' },
      );
    });
    expect((await app.send('/v1/items/1')).status).toBe(200);
    expect((await app.send('/v1/items/2')).status).toBe(200);
    expect((await app.send('/v1')).status).toBe(200);
    expect((await app.send('/v1/')).status).toBe(200);
    expect((await app.send('/v1', { method: 'HEAD' })).status).toBe(200);
    // Fastify itself names the automatic HEAD route of /v1/ '/v1/' (its routeOptions.url says so
    // too, and fastifyRouteName with it), unlike the GET route.
    expect((await app.send('/v1/', { method: 'HEAD' })).status).toBe(200);
    const users = await app.send('/v1/admin/users');
    expect(users.headers.get('x-admin')).toBe('1');
    expect(await app.series()).toEqual([
      'GET /v1 200 = 2',
      'GET /v1/items/:id 200 = 2',
      'GET admin-users 200 = 1',
      'HEAD /v1 200 = 1',
      'HEAD /v1/ 200 = 1',
    ]);
  });

  it('records the status the error handler sends: 500 for a throwing handler, 400 for a failed validation', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/boom', async () => {
        throw new Error('boom');
      });
      app.get('/conflict', async () => {
        throw Object.assign(new Error('taken'), { statusCode: 409 });
      });
      app.post(
        '/orders',
        { schema: { body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } } } },
        async () => 'created',
      );
      app.get(
        '/search',
        { schema: { querystring: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } } } },
        async () => 'found',
      );
      await app.register(async (child) => {
        child.setErrorHandler(async (_error, _request, reply) => reply.code(503).send('try later'));
        child.get('/flaky', async () => {
          throw new Error('down');
        });
      });
    });
    expect((await app.send('/boom')).status).toBe(500);
    expect((await app.send('/conflict')).status).toBe(409);
    const json = { 'content-type': 'application/json' };
    expect((await app.send('/orders', { method: 'POST', headers: json, body: '{}' })).status).toBe(400);
    expect((await app.send('/orders', { method: 'POST', headers: json, body: '{"item":' })).status).toBe(400);
    expect((await app.send('/orders', { method: 'POST', headers: json, body: '{"item":"x"}' })).status).toBe(200);
    expect((await app.send('/search')).status).toBe(400);
    expect((await app.send('/flaky')).status).toBe(503);
    expect(await app.series()).toEqual([
      'GET /boom 500 = 1',
      'GET /conflict 409 = 1',
      'GET /flaky 503 = 1',
      'GET /search 400 = 1',
      'POST /orders 200 = 1',
      'POST /orders 400 = 2',
    ]);
  });

  it('leaves out excluded routes and paths: by default /healthcheck/ and the /metrics it serves', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, {
        recorder,
        exposition: createMetricsExposition({ store: recorder as MetricsStore }),
      });
      app.get('/healthcheck/', async () => '');
      app.get('/orders/:id', async () => 'ok');
    });
    expect((await app.send('/healthcheck/')).status).toBe(200);
    expect((await app.send('/healthcheck/', { method: 'HEAD' })).status).toBe(200);
    expect((await app.send('/metrics')).status).toBe(200);
    // Not the metrics route: an unmatched 404, counted as one.
    expect((await app.send('/metrics/')).status).toBe(404);
    expect((await app.send('/orders/1')).status).toBe(200);
    expect(await app.series()).toEqual(['GET /orders/:id 200 = 1', 'GET __unmatched__ 404 = 1']);
  });

  it('applies excludePaths to route names (explicit or pattern) and to the raw path of unmatched requests', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder, excludePaths: ['/live', 'quiet', '/robots.txt'] });
      app.get('/live', async () => 'up');
      app.get('/ping/:n', { config: { urlName: 'quiet' } }, async () => 'pong');
      app.get('/healthcheck/', async () => '');
    });
    expect((await app.send('/live')).status).toBe(200);
    expect((await app.send('/ping/1')).status).toBe(200);
    expect((await app.send('/robots.txt')).status).toBe(404);
    expect((await app.send('/robots.txt?x=1')).status).toBe(404);
    expect((await app.send('/favicon.ico')).status).toBe(404);
    // The default exclusions no longer apply once excludePaths is given.
    expect((await app.send('/healthcheck/')).status).toBe(200);
    expect(await app.series()).toEqual(['GET /healthcheck/ 200 = 1', 'GET __unmatched__ 404 = 1']);
  });

  it('measures from onRequest to onSend: a handler that sleeps 50 ms lands above the 0.05 bucket', async () => {
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/slow', sleepFor(50));
      app.get('/fast', async () => 'done');
    });
    expect((await app.send('/slow')).status).toBe(200);
    expect((await app.send('/fast')).status).toBe(200);
    const families = await app.families();
    const h = 'pretix_view_durations_seconds';
    const slow = { url_name: '/slow', method: 'GET', status_code: '200' };
    expect(familyValue(families, h, { ...slow, le: '0.05' }, `${h}_bucket`)).toBe(0);
    expect(familyValue(families, h, { ...slow, le: '0.1' }, `${h}_bucket`)).toBe(1);
    expect(familyValue(families, h, { ...slow, le: '+Inf' }, `${h}_bucket`)).toBe(1);
    const sum = familyValue(families, h, slow, `${h}_sum`)!;
    expect(sum).toBeGreaterThan(0.05);
    expect(sum).toBeLessThan(0.1);
    const fast = { url_name: '/fast', method: 'GET', status_code: '200' };
    expect(familyValue(families, h, { ...fast, le: '0.05' }, `${h}_bucket`)).toBe(1);
  });

  it("keeps the app's own request listeners on the server, in their order, and still times every request", async () => {
    const seen: string[] = [];
    const app = await start(async (app, recorder) => {
      app.server.prependListener('request', (request: { url?: string }) => seen.push(`before ${request.url}`));
      app.server.on('request', (request: { url?: string }) => seen.push(`after ${request.url}`));
      await app.register(fastifyMetrics, { recorder });
      app.get('/slow', sleepFor(50));
    });
    expect((await app.send('/slow')).status).toBe(200);
    expect(seen).toEqual(['before /slow', 'after /slow']);
    const h = 'pretix_view_durations_seconds';
    const slow = { url_name: '/slow', method: 'GET', status_code: '200' };
    const families = await app.families();
    expect(familyValue(families, h, { ...slow, le: '0.05' }, `${h}_bucket`)).toBe(0);
    expect(familyValue(families, h, { ...slow, le: '+Inf' }, `${h}_bucket`)).toBe(1);
  });

  it('times requests that reach Fastify through a server of its own making (a second address), from the second request on', async () => {
    let other: Server | undefined;
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/slow', sleepFor(50));
    });
    // What Fastify does to listen on a second address (localhost on IPv4 and IPv6): one more
    // server with its request handler, which the plugin never saw at registration.
    other = createServer((request, response) => app.instance.routing(request, response));
    cleanups.push(() => new Promise((resolve) => other!.close(resolve)));
    await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`http://127.0.0.1:${port}/slow`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    }
    const families = await app.families();
    const h = 'pretix_view_durations_seconds';
    const slow = { url_name: '/slow', method: 'GET', status_code: '200' };
    // The first request through that server finds no stamp (Fastify keeps no clock without a
    // logger: 0 s); it makes the plugin stamp that server's requests too.
    expect(familyValue(families, h, { ...slow, le: '0.05' }, `${h}_bucket`)).toBe(1);
    expect(familyValue(families, h, { ...slow, le: '+Inf' }, `${h}_bucket`)).toBe(3);
  });

  it('does not instrument routes registered before it; an earlier hook that answers is still counted and timed', async () => {
    const app = await start(async (app, recorder) => {
      app.get('/early', async () => 'not instrumented');
      app.addHook('onRequest', (request, reply, done) => {
        if (request.headers.authorization === undefined) reply.code(401).send('who?');
        else done();
      });
      await app.register(fastifyMetrics, { recorder });
      app.get('/late', async () => 'instrumented');
    });
    const authorized = { headers: { authorization: 'yes' } };
    expect((await app.send('/early', authorized)).status).toBe(200);
    expect((await app.send('/late', authorized)).status).toBe(200);
    // Answered by a hook of the app's before the route's: counted, and timed from its arrival.
    expect((await app.send('/late')).status).toBe(401);
    expect(await app.series()).toEqual(['GET /late 200 = 1', 'GET /late 401 = 1']);
    const h = 'pretix_view_durations_seconds';
    const seconds = familyValue(
      await app.families(),
      h,
      { url_name: '/late', method: 'GET', status_code: '401' },
      `${h}_sum`,
    );
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(5);
  });

  it('counts requests made with fastify.inject(), which never reach the server, with no duration', async () => {
    let app!: FastifyInstance;
    const started = await start(async (instance, recorder) => {
      app = instance;
      await app.register(fastifyMetrics, { recorder });
      app.get('/orders/:id', async () => 'ok');
    });
    expect((await app.inject({ url: '/orders/1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/nothing' })).statusCode).toBe(404);
    expect(await started.series()).toEqual(['GET /orders/:id 200 = 1', 'GET __unmatched__ 404 = 1']);
    const h = 'pretix_view_durations_seconds';
    expect(
      familyValue(
        await started.families(),
        h,
        { url_name: '/orders/:id', method: 'GET', status_code: '200' },
        `${h}_sum`,
      ),
    ).toBe(0);
  });

  it('can be registered twice, for two recorders, each recording every request once', async () => {
    const otherPrefix = uniquePrefix('fastify-plugin-other');
    const other = createMetricsStore({
      redis,
      keyPrefix: otherPrefix,
      flushIntervalMs: 3_600_000,
      processMetrics: false,
    });
    cleanups.push(() => deletePrefix(redis, otherPrefix));
    cleanups.push(() => other.close());
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      await app.register(fastifyMetrics, { recorder: other, unmatchedName: 'elsewhere' });
      app.get('/orders/:id', async () => 'ok');
    });
    expect((await app.send('/orders/1')).status).toBe(200);
    expect((await app.send('/orders/1', { method: 'HEAD' })).status).toBe(200);
    expect((await app.send('/nothing')).status).toBe(404);
    expect(await app.series()).toEqual([
      'GET /orders/:id 200 = 1',
      'GET __unmatched__ 404 = 1',
      'HEAD /orders/:id 200 = 1',
    ]);
    await other.flush();
    const family = (await other.read()).find((f) => f.name === 'pretix_view_requests_total');
    const series = (family?.values ?? [])
      .map((v) => `${v.labels.method} ${v.labels.url_name} ${v.labels.status_code} = ${v.value}`)
      .sort();
    expect(series).toEqual(['GET /orders/:id 200 = 1', 'GET elsewhere 404 = 1', 'HEAD /orders/:id 200 = 1']);
  });

  it('keeps Fastify from setting up per-response listeners when there is no logger', async () => {
    let elapsed: number | undefined;
    const app = await start(async (app, recorder) => {
      await app.register(fastifyMetrics, { recorder });
      app.get('/x', async (_request, reply) => {
        // Fastify starts its reply clock only with a logger, onResponse hooks or a handler timeout.
        elapsed = reply.elapsedTime;
        return 'x';
      });
    });
    expect((await app.send('/x')).status).toBe(200);
    expect(elapsed).toBe(0);
    expect(await app.series()).toEqual(['GET /x 200 = 1']);
  });
});

/** A handler that answers after at least `ms` milliseconds by `performance.now()`. */
function sleepFor(ms: number): () => Promise<string> {
  return async () => {
    const started = performance.now();
    // setTimeout may fire a fraction of a millisecond early by this clock.
    while (performance.now() - started <= ms)
      await new Promise((resolve) => setTimeout(resolve, ms + 1 - (performance.now() - started)));
    return 'done';
  };
}
