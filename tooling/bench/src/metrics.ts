/**
 * The cost of @keepwatch/metrics, as ratios measured in one run:
 * 1. Throughput of hello-world Fastify with the keepwatch plugin (buffered, flushed every
 *    second), with keepwatch in write-every-observation mode, and with fastify-metrics
 *    (prom-client in one process), each against the same server bare. Target for keepwatch:
 *    at least 0.95. Each server runs in a child process; autocannon runs here, so on two cores
 *    the server and the load generator each get one.
 *    Also printed: the server's CPU time per request, a figure a busy neighbour disturbs less,
 *    and a second bare server's ratio to the first: the noise floor of the run.
 * 2. The median time of a scrape of 10 000 series (read from Redis and rendered), and its ratio
 *    to prom-client rendering the same series from memory.
 *
 *   pnpm --filter @keepwatch/metrics build
 *   cd tooling/bench && npx tsx src/metrics.ts [--rounds 5] [--duration 2] [--connections 50] [--scrapes 15]
 *
 * Needs Redis on 127.0.0.1:6379; every key it writes is under a random prefix and removed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetricsExposition, createMetricsStore, defaultBuckets } from '@keepwatch/metrics';
import { type LoadResult, type RatioRow, interleave, load, median, printTable, timeMs } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    scrapes: { type: 'string', default: '15' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const scrapes = Number(values.scrapes);
const runId = randomUUID().slice(0, 8);

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
}

async function startServer(name: string, mode: string): Promise<Server> {
  const child = fork(new URL('./metrics-server.ts', import.meta.url), [mode, `bench:metrics:${runId}:${mode}:`], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000)),
  ])) as [{ port: number }];
  return { name, child, url: `http://127.0.0.1:${message.port}/items/abc123` };
}

async function cpuMicros(server: Server): Promise<number> {
  server.child.send('cpu');
  const [message] = (await once(server.child, 'message')) as [{ cpuMicros: number }];
  return message.cpuMicros;
}

interface Round extends LoadResult {
  /** Server CPU time (user + system) per request: less sensitive to a busy neighbour than req/s. */
  cpuMicrosPerRequest: number;
}

async function measure(server: Server): Promise<Round> {
  const before = await cpuMicros(server);
  const result = await load({ url: server.url, duration, connections });
  return { ...result, cpuMicrosPerRequest: ((await cpuMicros(server)) - before) / Math.max(1, result.total) };
}

async function recorded(server: Server): Promise<number | null> {
  server.child.send('recorded');
  const [message] = (await once(server.child, 'message')) as [{ recorded: number | null }];
  return message.recorded;
}

async function throughput(): Promise<void> {
  const servers = [
    await startServer('bare Fastify', 'bare'),
    await startServer('keepwatch (flush 1 s)', 'keepwatch'),
    await startServer('fastify-metrics', 'fastify-metrics'),
    await startServer('keepwatch (flush 0)', 'keepwatch-immediate'),
    // The same bare server twice: its ratio to the first is the noise floor of this run.
    await startServer('bare Fastify, again', 'bare'),
  ];
  try {
    process.stdout.write(
      `metrics benchmark: ${rounds} interleaved rounds of ${duration} s, ${connections} connections, after one warm-up round each\n`,
    );
    const results = await interleave<Round>(
      servers.map((server) => ({ name: server.name, run: () => measure(server) })),
      rounds,
      (name, round, value) =>
        process.stdout.write(
          `  round ${round + 1} ${name}: ${value.requestsPerSecond.toFixed(0)} req/s, ${value.cpuMicrosPerRequest.toFixed(1)} µs CPU/request\n`,
        ),
    );
    const rps = (name: string) => median(results.get(name)!.map((r) => r.requestsPerSecond));
    const baseline = rps('bare Fastify');
    // Each round's ratio is taken against the bare round run just before it, then the median of
    // those: on a shared machine the load drifts between rounds, and pairing cancels most of it.
    const pairedRatio = (name: string) =>
      median(results.get(name)!.map((r, i) => r.requestsPerSecond / results.get('bare Fastify')![i]!.requestsPerSecond));
    const row = (name: string, target?: number): RatioRow => {
      const ratio = pairedRatio(name);
      return target === undefined
        ? { name, value: rps(name), unit: 'req/s', ratio }
        : { name, value: rps(name), unit: 'req/s', ratio, target: `>= ${target}`, ok: ratio >= target };
    };
    printTable('throughput (median of rounds); ratio: median of per-round ratios to bare Fastify', [
      { name: 'bare Fastify', value: baseline, unit: 'req/s' },
      row('keepwatch (flush 1 s)', 0.95),
      row('fastify-metrics'),
      row('keepwatch (flush 0)'),
      row('bare Fastify, again'),
    ]);
    const cpu = (name: string) => median(results.get(name)!.map((r) => r.cpuMicrosPerRequest));
    printTable(
      'server CPU time per request (median of rounds), as a ratio to bare Fastify',
      servers.map((server) => ({
        name: server.name,
        value: cpu(server.name),
        unit: 'µs',
        ratio: server.name === 'bare Fastify' ? undefined : cpu(server.name) / cpu('bare Fastify'),
      })),
    );
    const errors = [...results.values()].flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    const lines: string[] = [];
    for (const server of [servers[1]!, servers[3]!]) {
      // autocannon's totals omit the warm-up round, so compare against what Redis has only loosely.
      const sent = results.get(server.name)!.reduce((sum, r) => sum + r.total, 0);
      lines.push(`${server.name}: ${await recorded(server)} requests in Redis (${sent} in the timed rounds, plus warm-up)`);
    }
    process.stdout.write(`\n${lines.join('\n')}\n${errors} errors or non-2xx\n`);
  } finally {
    for (const server of servers) {
      server.child.send('close');
      await once(server.child, 'exit');
    }
  }
}

async function scrapeCost(): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keyPrefix = `bench:metrics:${runId}:scrape:`;
  const store = createMetricsStore({ redis, keyPrefix, processMetrics: false, flushIntervalMs: 3_600_000 });
  const exposition = createMetricsExposition({ store });

  // 526 label sets, each a counter series and a histogram of 16 buckets + sum + count: 9 994 series.
  const labelSets = 526;
  const registry = new Registry();
  const counter = new Counter({ name: 'pretix_view_requests_total', help: 'h', labelNames: ['url_name', 'method', 'status_code'], registers: [registry] });
  const histogram = new Histogram({
    name: 'pretix_view_durations_seconds',
    help: 'h',
    labelNames: ['url_name', 'method', 'status_code'],
    buckets: [...defaultBuckets],
    registers: [registry],
  });
  for (let i = 0; i < labelSets; i++) {
    const labels = { url_name: `/route-${i}/:id`, method: i % 2 ? 'GET' : 'POST', status_code: String(200 + (i % 5)) };
    for (const seconds of [0.003, 0.04, 0.6]) {
      store.observeView({ urlName: labels.url_name, method: labels.method, statusCode: labels.status_code, durationSeconds: seconds });
      counter.inc(labels);
      histogram.observe(labels, seconds);
    }
  }
  await store.flush();

  try {
    const rendered = (await exposition.render()).body;
    const series = rendered.split('\n').filter((line) => line && !line.startsWith('#')).length;
    const baselineSeries = (await registry.metrics()).split('\n').filter((line) => line && !line.startsWith('#')).length;
    process.stdout.write(`\nscrape benchmark: ${series} series from Redis vs ${baselineSeries} from memory, ${scrapes} interleaved scrapes each\n`);
    const results = await interleave<number>(
      [
        { name: 'keepwatch scrape (Redis read + render)', run: () => timeMs(() => exposition.render()) },
        { name: 'prom-client render from memory', run: () => timeMs(() => registry.metrics()) },
      ],
      scrapes,
    );
    const keepwatch = median(results.get('keepwatch scrape (Redis read + render)')!);
    const baseline = median(results.get('prom-client render from memory')!);
    printTable(`scrape of ${series} series (median)`, [
      { name: 'prom-client render from memory', value: baseline, unit: 'ms' },
      { name: 'keepwatch scrape (Redis read + render)', value: keepwatch, unit: 'ms', ratio: keepwatch / baseline },
    ]);
  } finally {
    await store.close();
    const keys = await redis.keys(`{${keyPrefix}metrics}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

await throughput();
await scrapeCost();
