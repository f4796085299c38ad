/**
 * What a scrape costs as the fleet's series grow, and what recording into a declared family
 * costs, against prom-client doing the same in one process:
 * 1. For 1 000, 10 000 and 100 000 series of a declared counter, each written by 1, 10 and 50
 *    processes (every process increments every series once, so each shows the process count):
 *    the median time of a scrape (the Redis reads, and the render to Prometheus text, which is
 *    `/metrics` without HTTP), Redis's memory for them, and prom-client rendering the same series
 *    from memory. Then the same for a per-process `sum` gauge (10 000 series; Redis holds each
 *    process's own values, so its memory and reads grow with the processes).
 *    Target: a scrape of 100 000 series under 1 s.
 * 2. ns per call of a declared counter's `inc(labels)` and of `labels(…).inc()`, against
 *    prom-client's `Counter` doing the same, over 100 label sets, interleaved rounds.
 *    Target: within 2× of prom-client's.
 *
 * The writers are real processes (forked once, then told what to write for each row) on a
 * redis-server of the benchmark's own (no persistence), emptied before every row, so the memory
 * figure is the row's alone (`used_memory` after minus before) and the shared Redis is not
 * burdened. prom-client renders in a process of its own too (fleet-baseline.ts), interleaved with
 * keepwatch's scrapes. About five minutes on a 2-core VM.
 *
 *   pnpm --filter @keepwatch/metrics build
 *   cd tooling/bench && npx tsx src/fleet-scrape.ts [--scrapes 5] [--calls 2000000] [--rounds 7]
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createMetricsExposition, createMetricsStore } from '@keepwatch/metrics';
import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { labelSet } from './fleet-series.js';
import { interleave, median, timeMs } from './harness.js';

const { values } = parseArgs({
  options: {
    scrapes: { type: 'string', default: '5' },
    calls: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '7' },
  },
});
const scrapes = Number(values.scrapes);
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const prefix = 'bench:fleet:';
const sizes = [1000, 10_000, 100_000];
const fleets = [1, 10, 50];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'kw-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], {
    stdio: 'ignore',
  });
  for (let i = 0; ; i++) {
    const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const up = await client.connect().then(
      () => client.ping().then(() => true),
      () => false,
    );
    client.disconnect();
    if (up) break;
    if (i > 200 || child.exitCode !== null) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Writer {
  child: ChildProcess;
  /** Sends one message; resolves the ms the child measured, if it measures. */
  run(job: object | string): Promise<number | undefined>;
}

async function forkWriter(file = './fleet-writer.ts'): Promise<Writer> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A writer that dies (a build removed its modules meanwhile) must fail the run, not hang it.
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`a writer exited with ${code}`);
  });
  exited.catch(() => undefined);
  const reply = async (): Promise<{ error?: string; ms?: number }> =>
    Promise.race([once(child, 'message').then(([message]) => message as { error?: string; ms?: number }), exited]);
  await reply();
  return {
    child,
    run: async (job) => {
      child.send(job);
      const { error, ms } = await reply();
      if (error) throw new Error(`writer: ${error}`);
      return ms;
    },
  };
}

/** Runs every writer's job, two at a time (the machine's cores). */
async function writeAll(writers: Writer[], job: (i: number) => object): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < writers.length) {
      const i = next++;
      await writers[i]!.run(job(i));
    }
  };
  await Promise.all([lane(), lane()]);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

interface Row {
  kind: string;
  series: number;
  processes: number;
  scrapeMs: number;
  readMs: number;
  memoryMb: number;
  promClientMs: number;
}

async function measureRow(
  redis: Redis,
  port: number,
  writers: Writer[],
  baseline: Writer,
  kind: 'counter' | 'gauge',
  series: number,
  processes: number,
): Promise<Row> {
  await redis.flushall();
  const before = await usedMemory(redis);
  await writeAll(writers.slice(0, processes), (i) => ({ port, prefix, instance: `writer-${i}`, series, kind }));
  const memoryMb = ((await usedMemory(redis)) - before) / 1024 / 1024;

  // A replica that declared nothing, as the server is for an app's families.
  const reader = createMetricsStore({ redis, keyPrefix: prefix, processMetrics: false, timeoutMs: 60_000 });
  const exposition = createMetricsExposition({ store: reader });
  const name = kind === 'counter' ? 'bench_requests_total' : 'bench_open_connections';
  const families = await reader.read();
  const family = families.find((f) => f.name === name);
  if (family?.values.length !== series || family.values.some((v) => v.value !== processes))
    throw new Error(`${name}: expected ${series} series of ${processes}, read ${family?.values.length}`);

  await baseline.run({ series, kind, processes });
  const results = await interleave<number>(
    [
      { name: 'scrape', run: () => timeMs(() => exposition.render()) },
      { name: 'read', run: () => timeMs(() => reader.read()) },
      { name: 'prom-client', run: async () => (await baseline.run('render'))! },
    ],
    scrapes,
  );
  await reader.close();
  return {
    kind,
    series,
    processes,
    scrapeMs: median(results.get('scrape')!),
    readMs: median(results.get('read')!),
    memoryMb,
    promClientMs: median(results.get('prom-client')!),
  };
}

function printRows(rows: Row[]): void {
  process.stdout.write(
    '\n| family | series | processes | scrape (read + render) | of which Redis read | Redis memory | prom-client render | ratio |\n|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.kind} | ${r.series.toLocaleString('en')} | ${r.processes} | ${r.scrapeMs.toFixed(1)} ms | ${r.readMs.toFixed(1)} ms | ` +
        `${r.memoryMb.toFixed(1)} MB | ${r.promClientMs.toFixed(1)} ms | ×${(r.scrapeMs / r.promClientMs).toFixed(1)} |\n`,
    );
  }
}

async function scrapeCost(): Promise<void> {
  const { port, stop } = await startRedis();
  const redis = new Redis({ port, maxRetriesPerRequest: 1 });
  const writers = await Promise.all(Array.from({ length: Math.max(...fleets) }, () => forkWriter()));
  const baseline = await forkWriter('./fleet-baseline.ts');
  const rows: Row[] = [];
  try {
    for (const series of sizes) {
      for (const processes of fleets) {
        rows.push(await measureRow(redis, port, writers, baseline, 'counter', series, processes));
        process.stdout.write(`counter, ${series} series, ${processes} processes: done\n`);
      }
    }
    for (const processes of fleets)
      rows.push(await measureRow(redis, port, writers, baseline, 'gauge', 10_000, processes));
    printRows(rows);
    const biggest = rows.filter((r) => r.kind === 'counter' && r.series === 100_000);
    const worst = Math.max(...biggest.map((r) => r.scrapeMs));
    process.stdout.write(
      `\ntarget: a scrape of 100 000 series under 1 s: ${worst < 1000 ? 'met' : 'MISSED'} (slowest ${worst.toFixed(0)} ms)\n`,
    );
  } finally {
    const children = [...writers, baseline];
    for (const { child } of children) if (child.exitCode === null) child.send('exit');
    await Promise.all(children.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    redis.disconnect();
    await stop();
  }
}

/** ns per call of `fn`, over `calls` calls. */
function nsPerCall(fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / calls;
}

async function observeCost(): Promise<void> {
  const { port, stop } = await startRedis();
  const redis = new Redis({ port, maxRetriesPerRequest: 1 });
  // No flush while measuring: the buffer takes every call, as between two flushes.
  const store = createMetricsStore({ redis, keyPrefix: prefix, processMetrics: false, flushIntervalMs: 3_600_000 });
  const ours = store.counter({ name: 'bench_calls_total', help: 'h', labelNames: ['route', 'status'] });
  const registry = new Registry();
  const theirs = new Counter({
    name: 'bench_calls_total',
    help: 'h',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const sets = Array.from({ length: 100 }, (_, i) => labelSet(i));
  const ourChildren = sets.map((labels) => ours.labels(labels));
  const theirChildren = sets.map((labels) => theirs.labels(labels));
  const scenarios = [
    { name: 'keepwatch inc(labels)', run: async () => nsPerCall((i) => ours.inc(sets[i % 100]!)) },
    { name: 'prom-client inc(labels)', run: async () => nsPerCall((i) => theirs.inc(sets[i % 100]!)) },
    { name: 'keepwatch labels().inc()', run: async () => nsPerCall((i) => ourChildren[i % 100]!.inc()) },
    { name: 'prom-client labels().inc()', run: async () => nsPerCall((i) => theirChildren[i % 100]!.inc()) },
  ];
  try {
    const results = await interleave<number>(scenarios, rounds);
    const ns = (name: string) => median(results.get(name)!);
    process.stdout.write(
      `\nobserve cost, median of ${rounds} rounds of ${calls.toLocaleString('en')} calls over 100 label sets\n\n`,
    );
    process.stdout.write('| call | keepwatch | prom-client | ratio |\n|---|---|---|---|\n');
    for (const call of ['inc(labels)', 'labels().inc()']) {
      const [k, p] = [ns(`keepwatch ${call}`), ns(`prom-client ${call}`)];
      process.stdout.write(`| \`${call}\` | ${k.toFixed(0)} ns | ${p.toFixed(0)} ns | ×${(k / p).toFixed(2)} |\n`);
    }
    const ratio = ns('keepwatch inc(labels)') / ns('prom-client inc(labels)');
    process.stdout.write(
      `\ntarget: inc within 2× of prom-client's: ${ratio <= 2 ? 'met' : 'MISSED'} (×${ratio.toFixed(2)})\n`,
    );
  } finally {
    await store.close();
    redis.disconnect();
    await stop();
  }
}

await observeCost();
await scrapeCost();
