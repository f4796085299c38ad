import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fastifyMetrics } from '../src/fastify.js';
import { type MetricsStore, createMetricsExposition, createMetricsStore } from '../src/index.js';
import { freePort } from '@keepwatch/test-support/net';
import { promtoolCheck } from './helpers/promtool.js';
import { connectRedis, deletePrefix, uniquePrefix } from './helpers/redis.js';

const prefix = uniquePrefix('prometheus');
const user = 'prometheus';
const passphrase = randomUUID();
let redis: Redis;
let store: MetricsStore;
let app: FastifyInstance;
let prometheus: ChildProcess | undefined;
let dir: string;
let prometheusUrl: string;
let prometheusLog = '';

beforeAll(async () => {
  redis = await connectRedis();
  store = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 200 });
  app = Fastify();
  await app.register(fastifyMetrics, {
    recorder: store,
    exposition: createMetricsExposition({ store, user, passphrase }),
  });
  app.get('/orders/:id', async () => 'ok');
  await app.listen({ port: 0, host: '127.0.0.1' });
  dir = await mkdtemp(join(tmpdir(), 'kw-metrics-prometheus-'));
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await app?.close();
  await store?.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${path}`, { signal: AbortSignal.timeout(3000) });
  const json = (await response.json()) as { status: string; data: T };
  if (json.status !== 'success') throw new Error(`Prometheus API ${path}: ${JSON.stringify(json)}`);
  return json.data;
}

describe('a real Prometheus server scraping /metrics with basic auth', () => {
  it('sees the target up and counts exactly the requests sent', async () => {
    const sent = 23;
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (let i = 0; i < sent; i++)
      await (await fetch(`${base}/orders/${i}`, { signal: AbortSignal.timeout(5000) })).arrayBuffer();

    // The passphrase goes in a 0600 file, never on Prometheus's command line.
    await writeFile(join(dir, 'passphrase'), passphrase, { mode: 0o600 });
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: keepwatch',
        // Any replica serves the whole fleet, so the process's own `instance` label must win
        // over the scraped address, as for a Pushgateway.
        '    honor_labels: true',
        '    basic_auth:',
        `      username: ${user}`,
        `      password_file: ${join(dir, 'passphrase')}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${(app.server.address() as AddressInfo).port}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));

    type Targets = { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> };
    const target = await vi.waitFor(
      async () => {
        if (prometheus!.exitCode !== null) throw new Error(`prometheus exited: ${prometheusLog}`);
        const { activeTargets } = await api<Targets>('/api/v1/targets');
        const up = activeTargets.find((t) => t.health === 'up');
        expect(up, `a target Prometheus scraped successfully: ${JSON.stringify(activeTargets)}`).toBeDefined();
        return up!;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(target.scrapeUrl).toMatch(/\/metrics$/);
    expect(target.lastError).toBe('');

    type Vector = { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    const query = encodeURIComponent(
      'sum(pretix_view_requests_total{url_name="/orders/:id",method="GET",status_code="200"})',
    );
    const value = await vi.waitFor(
      async () => {
        const sample = (await api<Vector>(`/api/v1/query?query=${query}`)).result[0]?.value[1];
        expect(sample, 'the query to see the requests').toBeDefined();
        return sample!;
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(Number(value)).toBe(sent);

    // Prometheus also took the histogram and this process's own series, labelled by instance.
    const count = await api<Vector>(
      `/api/v1/query?query=${encodeURIComponent('sum(pretix_view_durations_seconds_count)')}`,
    );
    expect(Number(count.result[0]?.value[1])).toBe(sent);
    const rss = await api<Vector>(`/api/v1/query?query=${encodeURIComponent('process_resident_memory_bytes')}`);
    expect(rss.result.map((r) => r.metric.instance)).toEqual([store.options.instance]);

    const text = await (
      await fetch(`${base}/metrics`, {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${passphrase}`).toString('base64')}` },
        signal: AbortSignal.timeout(5000),
      })
    ).text();
    const check = await promtoolCheck(text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  }, 60_000);
});
