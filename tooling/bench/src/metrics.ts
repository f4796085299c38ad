/**
 * The cost of @keepwatch/metrics, as ratios measured in one run:
 * 1. Throughput of hello-world Fastify with the keepwatch plugin (buffered, flushed every
 *    second), with keepwatch in write-every-observation mode, and with fastify-metrics
 *    (prom-client in one process), each against the same server bare. Target for keepwatch:
 *    at least 0.95.
 *    - Load: wrk (in C) on the first CPU, every server on the second, so the server is the only
 *      bottleneck (autocannon, in Node, could not keep it busy: see wrk.ts).
 *    - Rounds of fresh processes: every round starts one new server of each kind, warms each,
 *      then measures them in `--slices` alternating slices of `--duration` seconds in a random
 *      order, the others stopped meanwhile. A process is a random draw: one runs several per
 *      cent faster or slower than another of the same code for its whole life (where V8's
 *      optimisations and its memory land), so the rounds, not the slices, are the samples.
 *      Slices interleave because this machine also has slow spells of seconds to minutes, which
 *      then fall on every kind of a round alike.
 *    - A round's ratio is the geometric mean over its slices of kind / bare in the same slice;
 *      the run's ratio is the geometric mean over rounds, printed with a 90% bootstrap interval
 *      over rounds. "bare again", a second bare server in every round, is the noise floor.
 *    - Also printed: the servers' CPU time per request (from /proc), and, for the keepwatch
 *      servers, the requests Redis holds against the responses wrk counted.
 *    - "bare + Redis client" is bare Fastify with an ioredis client that writes, once a second,
 *      about what the flusher writes, and nothing else of keepwatch: an app that already talks to
 *      Redis (BullMQ, a cache) has that cost without keepwatch, so keepwatch's ratio to it is
 *      printed too, as what keepwatch adds to such an app. The target stays against bare.
 * 2. The median time of a scrape of 10 000 series (read from Redis and rendered), and its ratio
 *    to prom-client rendering the same series from memory.
 *
 *   pnpm --filter @keepwatch/metrics build
 *   cd tooling/bench && npx tsx src/metrics.ts [--rounds 16] [--slices 3] [--duration 1] [--warmup 1] [--connections 50] [--scrapes 15] [--unpinned] [--seed N]
 *
 * Needs Redis on 127.0.0.1:6379 and wrk; every key it writes is under a random prefix and removed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetricsExposition, createMetricsStore, defaultBuckets } from '@keepwatch/metrics';
import {
  type LoadResult,
  interleave,
  median,
  pinToCpu,
  printTable,
  resampled,
  seededRandom,
  shuffled,
  timeMs,
} from './harness.js';
import { assertWrkInstalled, wrk } from './wrk.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '16' },
    slices: { type: 'string', default: '3' },
    duration: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    scrapes: { type: 'string', default: '15' },
    unpinned: { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const slices = Number(values.slices);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
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
  target?: number;
}

const bare: Kind = { name: 'bare Fastify', mode: 'bare' };
const bareRedis: Kind = { name: 'bare + Redis client', mode: 'bare-redis' };
const kinds: Kind[] = [
  bare,
  { name: 'keepwatch (flush 1 s)', mode: 'keepwatch', target: 0.95 },
  { name: 'fastify-metrics', mode: 'fastify-metrics' },
  { name: 'keepwatch (flush 0)', mode: 'keepwatch-immediate' },
  // The same code as bare in a process of its own: how far two kinds that do not differ land.
  { name: 'bare again (noise floor)', mode: 'bare' },
  bareRedis,
];

interface Server {
  kind: Kind;
  child: ChildProcess;
  url: string;
  /** Responses wrk counted from this server, warm-up included. */
  answered: number;
}

async function startServer(kind: Kind, round: number): Promise<Server> {
  const keyPrefix = `bench:metrics:${runId}:${kinds.indexOf(kind)}:${round}:`;
  const child = fork(new URL('./metrics-server.ts', import.meta.url), [kind.mode, keyPrefix], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${kind.name} did not start within 20 s`)), 20_000)),
  ])) as [{ port: number }];
  if (pinned) pinToCpu(child.pid!, 1);
  return { kind, child, url: `http://127.0.0.1:${message.port}/items/abc123`, answered: 0 };
}

/** User + system CPU time of a process so far, in microseconds, read without asking it. */
function cpuMicros(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

interface Slice extends LoadResult {
  /** Server CPU time (user + system) per request. */
  cpuMicrosPerRequest: number;
}

/**
 * One slice against one server, every other server of the round stopped (SIGSTOP) meanwhile:
 * idle, they would still wake on their timers (flushes, the event-loop monitor) on its CPU.
 */
async function measure(server: Server, all: Server[], seconds: number): Promise<Slice> {
  const others = all.filter((other) => other !== server);
  for (const other of others) other.child.kill('SIGSTOP');
  try {
    const before = cpuMicros(server.child.pid!);
    const result = await wrk({ url: server.url, duration: seconds, connections, cpu: pinned ? 0 : undefined });
    const cpu = cpuMicros(server.child.pid!) - before;
    server.answered += result.total;
    return { ...result, cpuMicrosPerRequest: cpu / Math.max(1, result.total) };
  } finally {
    for (const other of others) other.child.kill('SIGCONT');
  }
}

async function recorded(server: Server): Promise<number | null> {
  server.child.send('recorded');
  const [message] = (await once(server.child, 'message')) as [{ recorded: number | null }];
  return message.recorded;
}

async function stop(server: Server): Promise<void> {
  server.child.kill('SIGCONT');
  server.child.send('close');
  await once(server.child, 'exit');
}

const rps = (s: Slice) => s.requestsPerSecond;
const cpu = (s: Slice) => s.cpuMicrosPerRequest;
const geometricMean = (values: number[]) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

/** Per kind, per round, the slices measured. */
type Results = Map<Kind, Slice[][]>;

/** A round's ratio of one kind: over its slices, the geometric mean of kind / base (bare) in the same slice. */
function roundRatios(results: Results, kind: Kind, pick: (s: Slice) => number, base = bare): number[] {
  const baseline = results.get(base)!;
  return results
    .get(kind)!
    .map((round, r) => geometricMean(round.map((slice, s) => pick(slice) / pick(baseline[r]![s]!))));
}

async function throughput(): Promise<void> {
  assertWrkInstalled();
  let servers: Server[] = [];
  // A stopped child outlives an interrupted parent (it cannot even see its IPC channel close):
  // whatever ends this script wakes and ends every server.
  process.once('SIGINT', () => process.exit(130));
  process.on('exit', () => {
    for (const server of servers) {
      server.child.kill('SIGCONT');
      server.child.kill('SIGKILL');
    }
  });
  process.stdout.write(
    `metrics benchmark: ${rounds} rounds of fresh servers, each warmed ${warmup} s, then ${slices} slices of ${duration} s per server, ` +
      `wrk with ${connections} connections; ${pinned ? 'wrk pinned to CPU 0, servers to CPU 1' : 'not pinned'}; ` +
      `random order (--seed ${seed})\n`,
  );
  const results: Results = new Map(kinds.map((kind) => [kind, []]));
  const stored = new Map<Kind, { inRedis: number; answered: number; runs: number }>();
  let failures = 0;
  for (let round = 0; round < rounds; round++) {
    servers = [];
    try {
      // Started in random order: a process started later can run faster for its whole life.
      for (const kind of shuffled(kinds, random)) servers.push(await startServer(kind, round));
      for (const server of shuffled(servers, random)) await measure(server, servers, warmup);
      const measured = new Map<Kind, Slice[]>(kinds.map((kind) => [kind, []]));
      for (let slice = 0; slice < slices; slice++) {
        for (const server of shuffled(servers, random)) {
          const result = await measure(server, servers, duration);
          failures += result.errors + result.non2xx;
          measured.get(server.kind)!.push(result);
        }
      }
      for (const kind of kinds) results.get(kind)!.push(measured.get(kind)!);
      for (const server of servers.filter((s) => s.kind.mode.startsWith('keepwatch'))) {
        const entry = stored.get(server.kind) ?? { inRedis: 0, answered: 0, runs: 0 };
        entry.inRedis += (await recorded(server)) ?? 0;
        entry.answered += server.answered;
        entry.runs += 1 + slices;
        stored.set(server.kind, entry);
      }
    } finally {
      await Promise.all(servers.map(stop));
      servers = [];
    }
    const line = kinds
      .filter((kind) => kind !== bare)
      .map((kind) => `${kind.name} x${roundRatios(results, kind, rps)[round]!.toFixed(3)}`)
      .join(', ');
    const bareRps = median(results.get(bare)![round]!.map(rps));
    process.stdout.write(`  round ${round + 1}: bare ${bareRps.toFixed(0)} req/s; ${line}\n`);
  }

  const all = (kind: Kind, pick: (s: Slice) => number) => results.get(kind)!.flat().map(pick);
  printTable(
    "throughput (median of every slice); ratio: geometric mean over rounds of each round's ratio to bare",
    kinds.map((kind) => {
      const row = { name: kind.name, value: median(all(kind, rps)), unit: 'req/s' };
      if (kind === bare) return row;
      const ratio = geometricMean(roundRatios(results, kind, rps));
      return kind.target === undefined
        ? { ...row, ratio }
        : { ...row, ratio, target: `>= ${kind.target}`, ok: ratio >= kind.target };
    }),
  );
  // The target's interval, and the noise floor's: how far apart two kinds of the same code land.
  const printInterval = (label: string, perRound: number[]): void => {
    // How far the ratio would move with other processes: rounds resampled with replacement.
    const estimates = Array.from({ length: 2000 }, () => geometricMean(resampled(perRound, random))).sort(
      (x, y) => x - y,
    );
    process.stdout.write(
      `  ${label}: x${geometricMean(perRound).toFixed(3)}, 90% interval over rounds (bootstrap) x${estimates[100]!.toFixed(3)} .. x${estimates[1899]!.toFixed(3)}; ` +
        `per round ${perRound.map((r) => r.toFixed(3)).join(' ')}\n`,
    );
  };
  for (const kind of kinds.filter((k) => k !== bare && (k.target !== undefined || k.mode === bare.mode))) {
    printInterval(kind.name, roundRatios(results, kind, rps));
  }
  // What keepwatch adds to an app that already has a Redis client (not the target, which is against bare).
  for (const kind of kinds.filter((k) => k.target !== undefined)) {
    printInterval(`${kind.name} against ${bareRedis.name}`, roundRatios(results, kind, rps, bareRedis));
  }
  printTable(
    'server CPU time per request (median of every slice), as a ratio to bare (as above)',
    kinds.map((kind) => ({
      name: kind.name,
      value: median(all(kind, cpu)),
      unit: 'µs',
      ratio: kind === bare ? undefined : geometricMean(roundRatios(results, kind, cpu)),
    })),
  );
  process.stdout.write('\n');
  for (const [kind, { inRedis, answered, runs }] of stored) {
    // wrk stops counting at its deadline while up to one request per connection is still being
    // answered: the server records those, wrk does not.
    const ok = inRedis >= answered && inRedis - answered <= runs * connections;
    process.stdout.write(
      `${kind.name}: ${inRedis} requests in Redis, ${answered} responses counted by wrk ` +
        `(${ok ? 'ok: the difference is at most the requests in flight when a wrk run stopped' : 'MISMATCH'})\n`,
    );
  }
  process.stdout.write(`${failures} socket errors or non-2xx responses\n`);
}

async function scrapeCost(): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keyPrefix = `bench:metrics:${runId}:scrape:`;
  const store = createMetricsStore({ redis, keyPrefix, processMetrics: false, flushIntervalMs: 3_600_000 });
  const exposition = createMetricsExposition({ store });

  // 526 label sets, each a counter series and a histogram of 16 buckets + sum + count: 9 994 series.
  const labelSets = 526;
  const registry = new Registry();
  const counter = new Counter({
    name: 'pretix_view_requests_total',
    help: 'h',
    labelNames: ['url_name', 'method', 'status_code'],
    registers: [registry],
  });
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
      store.observeView({
        urlName: labels.url_name,
        method: labels.method,
        statusCode: labels.status_code,
        durationSeconds: seconds,
      });
      counter.inc(labels);
      histogram.observe(labels, seconds);
    }
  }
  await store.flush();

  try {
    const rendered = (await exposition.render()).body;
    const series = rendered.split('\n').filter((line) => line && !line.startsWith('#')).length;
    const baselineSeries = (await registry.metrics())
      .split('\n')
      .filter((line) => line && !line.startsWith('#')).length;
    process.stdout.write(
      `\nscrape benchmark: ${series} series from Redis vs ${baselineSeries} from memory, ${scrapes} interleaved scrapes each\n`,
    );
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
    const keys = await redis.keys(`{${keyPrefix}metrics*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

await throughput();
await scrapeCost();
