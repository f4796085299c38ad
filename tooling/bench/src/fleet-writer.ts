/**
 * One process of the fleet in fleet-scrape.ts, forked once and told what to write, again and
 * again: for each `{ prefix, series, kind }` it declares the benchmark's family on a fresh
 * store, records every series once (a counter's by 1, a per-process gauge's by setting it to
 * 1), sends it all in one flush and answers `{ done }`. A counter's store is closed at once (its
 * claim goes); a gauge's is left open until the next message, so that its values stay in Redis
 * while the driver scrapes.
 */
import { Redis } from 'ioredis';
import { type MetricsStore, createMetricsStore } from '@keepwatch/metrics';
import { labelSet } from './fleet-series.js';

interface Job {
  port: number;
  prefix: string;
  instance: string;
  series: number;
  kind: 'counter' | 'gauge';
}

let redis: Redis | undefined;
let open: MetricsStore | undefined;

async function write(job: Job): Promise<void> {
  if (!redis) {
    redis = new Redis({ host: '127.0.0.1', port: job.port, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
  }
  await open?.close();
  const store = createMetricsStore({
    redis,
    keyPrefix: job.prefix,
    instance: job.instance,
    processMetrics: false,
    flushIntervalMs: 3_600_000,
    // Longer than a run: no refresh writes while the driver measures.
    processIntervalMs: 3_000_000,
    processTtlMs: 3_600_000,
    maxSeriesPerFamily: job.series,
    maxBufferedSeries: job.series + 10,
    timeoutMs: 120_000,
  });
  if (job.kind === 'counter') {
    const counter = store.counter({ name: 'bench_requests_total', help: 'h', labelNames: ['route', 'status'] });
    for (let i = 0; i < job.series; i++) counter.inc(labelSet(i));
  } else {
    const gauge = store.gauge({ name: 'bench_open_connections', help: 'h', labelNames: ['route', 'status'] });
    for (let i = 0; i < job.series; i++) gauge.set(labelSet(i), 1);
  }
  if (!(await store.flush())) throw new Error('the flush did not reach Redis');
  if (store.droppedObservations > 0) throw new Error(`${store.droppedObservations} observations dropped`);
  if (job.kind === 'counter') await store.close();
  open = job.kind === 'gauge' ? store : undefined;
}

process.on('message', (job: Job | 'exit') => {
  if (job === 'exit') {
    redis?.disconnect();
    process.exit(0);
  }
  write(job).then(
    () => process.send?.({ done: true }),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.send?.({ ready: true });
