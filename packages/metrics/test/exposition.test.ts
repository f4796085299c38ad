import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type MetricsStore,
  createMetricsExposition,
  createMetricsStore,
  openMetricsContentType,
  prometheusContentType,
} from '../src/index.js';
import { fastifyMetrics } from '../src/fastify.js';
import { freePort } from '@keepwatch/test-support/net';
import { promtoolCheck } from './helpers/promtool.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';
import { sampleValue } from './helpers/samples.js';

let redis: Redis;
let store: MetricsStore;
const prefix = uniquePrefix('exposition');
const apps: FastifyInstance[] = [];
const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const good = auth('prometheus', 's3cret pass');

async function app(exposition: Parameters<typeof createMetricsExposition>[0]): Promise<FastifyInstance> {
  const fastify = Fastify();
  apps.push(fastify);
  await fastify.register(fastifyMetrics, { recorder: store, exposition: createMetricsExposition(exposition) });
  fastify.get('/orders/:id', async () => 'ok');
  fastify.get('/weird', { config: { urlName: 'say "hi"\\now\nnext' } }, async () => 'ok');
  return fastify;
}

beforeAll(async () => {
  redis = await connectRedis();
  store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000 });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await store.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('GET /metrics', () => {
  it('serves the Prometheus text format at exactly /metrics, with every family, and promtool accepts it', async () => {
    const fastify = await app({ store, user: 'prometheus', passphrase: 's3cret pass' });
    await fastify.inject('/orders/1');
    await fastify.inject('/weird');
    const response = await fastify.inject({ url: '/metrics', headers: { authorization: good } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['content-type']).toBe(prometheusContentType);
    for (const name of [
      'pretix_view_requests_total counter',
      'pretix_view_durations_seconds histogram',
      'pretix_task_runs_total counter',
      'pretix_task_duration_seconds histogram',
      'pretix_model_instances gauge',
    ]) {
      expect(response.body).toContain(`# TYPE ${name}`);
      expect(response.body).toContain(`# HELP ${name.split(' ')[0]} `);
    }
    expect(
      sampleValue(response.body, 'pretix_view_requests_total', {
        url_name: '/orders/:id',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(1);
    // Quote, backslash and newline escaped as the format requires, and read back intact.
    expect(response.body).toContain('url_name="say \\"hi\\"\\\\now\\nnext"');
    expect(
      sampleValue(response.body, 'pretix_view_requests_total', {
        url_name: 'say "hi"\\now\nnext',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(1);
    const check = await promtoolCheck(response.body);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);

    expect((await fastify.inject({ url: '/metrics/', headers: { authorization: good } })).statusCode).toBe(404);
  });

  it('answers OpenMetrics when the scraper asks for it', async () => {
    const fastify = await app({ store });
    await fastify.inject('/orders/7');
    const response = await fastify.inject({
      url: '/metrics',
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    });
    expect(response.headers['content-type']).toBe(openMetricsContentType);
    expect(response.body).toContain('# TYPE pretix_view_requests counter\n');
    expect(response.body).toMatch(
      /^pretix_view_requests_total\{url_name="\/orders\/:id",method="GET",status_code="200"\} \d+$/m,
    );
    expect(response.body.endsWith('# EOF\n')).toBe(true);
  });

  it('is a plain 404 when disabled', async () => {
    const fastify = await app({ store, enabled: false });
    expect((await fastify.inject('/metrics')).statusCode).toBe(404);
  });

  it.each([
    ['missing', undefined],
    ['wrong passphrase', auth('prometheus', 'guess')],
    ['wrong user', auth('root', 's3cret pass')],
    ['another scheme', 'Bearer abc'],
    ['not base64', 'Basic !!!notbase64'],
    ['no colon', `Basic ${Buffer.from('prometheus').toString('base64')}`],
    ['empty', 'Basic '],
  ])('refuses a %s Authorization header with 401 and WWW-Authenticate', async (_, header) => {
    const fastify = await app({ store, user: 'prometheus', passphrase: 's3cret pass' });
    const response = await fastify.inject({
      url: '/metrics',
      headers: header === undefined ? {} : { authorization: header },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="metrics"/);
    expect(response.body).not.toContain('pretix_');
    expect(response.body).not.toContain('s3cret');
  });

  it('answers 503 (not 500, no secret) when Redis cannot be read in time', async () => {
    const deadPort = await freePort();
    const dead = new Redis({ host: '127.0.0.1', port: deadPort, lazyConnect: true, maxRetriesPerRequest: null });
    dead.on('error', () => undefined);
    const deadStore = createMetricsStore({ redis: dead, keyPrefix: prefix, timeoutMs: 300, processMetrics: false });
    const exposition = createMetricsExposition({ store: deadStore, user: 'prometheus', passphrase: 's3cret pass' });
    const started = Date.now();
    const result = await exposition.scrape({ authorization: good });
    expect(result.status).toBe(503);
    expect(result.body).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(3000);
    await deadStore.close();
    dead.disconnect();
  });

  it('serves plain node:http through handle(), leaving other paths to the app', async () => {
    const exposition = createMetricsExposition({ store, user: 'prometheus', passphrase: 's3cret pass' });
    const server = createServer((request, response) => {
      void exposition.handle(request, response).then((handled) => {
        if (!handled) response.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${base}/metrics?x=1`, {
        headers: { authorization: good },
        signal: AbortSignal.timeout(5000),
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE pretix_view_requests_total counter');
      const denied = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await fetch(`${base}/metrics/`, { signal: AbortSignal.timeout(5000) })).status).toBe(418);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
