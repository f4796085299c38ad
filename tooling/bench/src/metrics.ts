/**
 * The cost of @keepwatch/metrics, as ratios measured in one run:
 * 1. Throughput of hello-world Fastify with the keepwatch plugin (buffered, flushed every
 *    second), with keepwatch in write-every-observation mode, and with fastify-metrics
 *    (prom-client in one process), each against the same server bare. Target for keepwatch:
 *    at least 0.95. Each server runs in a child process, pinned to the second CPU; autocannon
 *    runs here, pinned to the first, so that neither waits for the other's turn on a core.
 *    Bare and keepwatch run as `--copies` processes each (8), the other two kinds as `--others`
 *    (3): one process can be several per cent faster or slower than another of the same code
 *    for as long as it lives, which a few processes per kind would take for a difference
 *    between the kinds. While one is measured, the others are stopped. The servers start, and
 *    each round measures them, in a random order (`--seed` repeats one).
 *    Also printed: a 90% bootstrap interval of the target ratio over processes, the server's
 *    CPU time per request, and the noise floor (half of the bare servers against the other).
 * 2. The median time of a scrape of 10 000 series (read from Redis and rendered), and its ratio
 *    to prom-client rendering the same series from memory.
 *
 *   pnpm --filter @keepwatch/metrics build
 *   cd tooling/bench && npx tsx src/metrics.ts [--rounds 8] [--duration 1] [--copies 8] [--others 3] [--connections 50] [--scrapes 15] [--unpinned] [--seed N]
 *
 * Needs Redis on 127.0.0.1:6379; every key it writes is under a random prefix and removed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetricsExposition, createMetricsStore, defaultBuckets } from '@keepwatch/metrics';
import {
  type LoadResult,
  type RatioRow,
  interleave,
  load,
  median,
  pinToCpu,
  printTable,
  resampled,
  seededRandom,
  shuffled,
  timeMs,
} from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    duration: { type: 'string', default: '1' },
    copies: { type: 'string', default: '8' },
    others: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    scrapes: { type: 'string', default: '15' },
    unpinned: { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const copies = Number(values.copies);
const otherCopies = Number(values.others);
const connections = Number(values.connections);
const scrapes = Number(values.scrapes);
const runId = randomUUID().slice(0, 8);
const pinned = !values.unpinned && pinToCpu(process.pid, 0);
// The order servers start in and are measured in, printed so that a run can be repeated.
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const random = seededRandom(seed);

interface Kind {
  name: string;
  mode: string;
  /** How many processes of this kind run. */
  copies: number;
  target?: number;
}

// The target is on keepwatch against bare, so those two get the most processes: how fast a
// process runs differs by several per cent from one to the next for its whole life, and that,
// not the rounds, is what limits the precision of a ratio between kinds.
const bare: Kind = { name: 'bare Fastify', mode: 'bare', copies };
const kinds: Kind[] = [
  bare,
  { name: 'keepwatch (flush 1 s)', mode: 'keepwatch', copies, target: 0.95 },
  { name: 'fastify-metrics', mode: 'fastify-metrics', copies: otherCopies },
  { name: 'keepwatch (flush 0)', mode: 'keepwatch-immediate', copies: otherCopies },
];

interface Server {
  kind: Kind;
  /** `<kind> #<copy>` */
  name: string;
  child: ChildProcess;
  url: string;
}

async function startServer(kind: Kind, copy: number): Promise<Server> {
  const name = `${kind.name} #${copy + 1}`;
  const keyPrefix = `bench:metrics:${runId}:${kind.mode}:${copy}:`;
  const child = fork(new URL('./metrics-server.ts', import.meta.url), [kind.mode, keyPrefix], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000)),
  ])) as [{ port: number }];
  if (pinned) pinToCpu(child.pid!, 1);
  return { kind, name, child, url: `http://127.0.0.1:${message.port}/items/abc123` };
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

/**
 * One round against one server, with every other server stopped (SIGSTOP) meanwhile: idle, they
 * still wake on their timers (flushes, the event-loop-delay monitor's 10 ms tick) on the
 * measured server's CPU, and with 15 of them that cost the measured one more than the plugin.
 */
async function measure(server: Server, all: Server[]): Promise<Round> {
  const others = all.filter((other) => other !== server);
  for (const other of others) other.child.kill('SIGSTOP');
  try {
    const before = await cpuMicros(server);
    const result = await load({ url: server.url, duration, connections });
    return { ...result, cpuMicrosPerRequest: ((await cpuMicros(server)) - before) / Math.max(1, result.total) };
  } finally {
    for (const other of others) other.child.kill('SIGCONT');
  }
}

async function recorded(server: Server): Promise<number | null> {
  server.child.send('recorded');
  const [message] = (await once(server.child, 'message')) as [{ recorded: number | null }];
  return message.recorded;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

async function throughput(): Promise<void> {
  const servers: Server[] = [];
  // A stopped child outlives an interrupted parent (it cannot even see its IPC channel close):
  // whatever ends this script wakes and ends every server.
  process.once('SIGINT', () => process.exit(130));
  process.on('exit', () => {
    for (const server of servers) {
      server.child.kill('SIGCONT');
      server.child.kill('SIGKILL');
    }
  });
  try {
    // Started in random order: a process started later can run faster for its whole life (where
    // its memory lands), and a fixed order would hand that to the same kind every run.
    const slots = kinds.flatMap((kind) => Array.from({ length: kind.copies }, (_, copy) => ({ kind, copy })));
    for (const { kind, copy } of shuffled(slots, random)) servers.push(await startServer(kind, copy));
    process.stdout.write(
      `metrics benchmark: ${rounds} interleaved rounds of ${duration} s, ${connections} connections, ` +
        `${copies} processes of bare and keepwatch (flush 1 s), ${otherCopies} of the others, after one warm-up round each; ` +
        `${pinned ? 'load generator pinned to CPU 0, servers to CPU 1' : 'not pinned'}; ` +
        `servers started and measured in random order (--seed ${seed})\n`,
    );
    const results = await interleave<Round>(
      servers.map((server) => ({ name: server.name, run: () => measure(server, servers) })),
      rounds,
      {
        shuffle: random,
        onRound: (name, round, value) =>
          process.stdout.write(
            `  round ${round + 1} ${name}: ${value.requestsPerSecond.toFixed(0)} req/s, ${value.cpuMicrosPerRequest.toFixed(1)} µs CPU/request\n`,
          ),
      },
    );
    const ofKind = (kind: Kind) => servers.filter((server) => server.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
    const rps = (r: Round) => r.requestsPerSecond;
    const cpu = (r: Round) => r.cpuMicrosPerRequest;
    // Each measurement is taken against the mean of the bare servers in the same round, then the
    // median of all of them: the load on a shared machine drifts between rounds, and pairing
    // cancels most of it.
    const ratioEstimate = (measured: Server[], baseline: Server[], pick: (r: Round) => number) =>
      median(measured.flatMap((server) => ratiosTo(server, baseline, pick)));
    const ratiosTo = (server: Server, baseline: Server[], pick: (r: Round) => number) =>
      results.get(server.name)!.map((r, round) => pick(r) / mean(baseline.map((b) => pick(results.get(b.name)![round]!))));
    const all = (kind: Kind, pick: (r: Round) => number) => ofKind(kind).flatMap((server) => results.get(server.name)!.map(pick));
    const bares = ofKind(bare);

    printTable(
      'throughput (median of every process and round); ratio: median of ratios to the mean of the bare servers in the same round',
      kinds.map((kind): RatioRow => {
        const row: RatioRow = { name: kind.name, value: median(all(kind, rps)), unit: 'req/s' };
        if (kind === bare) return row;
        const ratio = ratioEstimate(ofKind(kind), bares, rps);
        return kind.target === undefined ? { ...row, ratio } : { ...row, ratio, target: `>= ${kind.target}`, ok: ratio >= kind.target };
      }),
    );
    for (const kind of kinds.filter((k) => k.target !== undefined)) {
      // How far the ratio would move with other processes of the same code: both sets resampled.
      const estimates = Array.from({ length: 2000 }, () =>
        ratioEstimate(resampled(ofKind(kind), random), resampled(bares, random), rps),
      ).sort((x, y) => x - y);
      process.stdout.write(
        `  ${kind.name}: 90% interval over processes (bootstrap) x${estimates[100]!.toFixed(3)} .. x${estimates[1899]!.toFixed(3)}\n`,
      );
    }
    // The noise floor: half of the bare servers against the other half, two identical sets.
    const halves = [bares.filter((_, i) => i % 2 === 1), bares.filter((_, i) => i % 2 === 0)] as const;
    process.stdout.write(`  noise floor: bare servers, one half against the other x${ratioEstimate(halves[0], halves[1], rps).toFixed(3)}\n`);
    printTable(
      'server CPU time per request (median), as a ratio to the bare servers in the same round',
      kinds.map((kind) => ({
        name: kind.name,
        value: median(all(kind, cpu)),
        unit: 'µs',
        ratio: kind === bare ? undefined : ratioEstimate(ofKind(kind), bares, cpu),
      })),
    );
    process.stdout.write('\nthroughput ratio of each process (median of its rounds), showing how far processes of one kind differ\n');
    for (const kind of kinds) {
      const perProcess = ofKind(kind).map((server) => median(ratiosTo(server, bares, rps)).toFixed(3));
      process.stdout.write(`  ${kind.name}: ${perProcess.join('  ')}\n`);
    }

    const errors = [...results.values()].flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    const lines: string[] = [];
    for (const kind of kinds.filter((k) => k.mode.startsWith('keepwatch'))) {
      // autocannon's totals omit the warm-up round, so compare against what Redis has only loosely.
      let stored = 0;
      let sent = 0;
      for (const server of ofKind(kind)) {
        stored += (await recorded(server)) ?? 0;
        sent += results.get(server.name)!.reduce((sum, r) => sum + r.total, 0);
      }
      lines.push(`${kind.name}: ${stored} requests in Redis (${sent} in the timed rounds, plus warm-up)`);
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
