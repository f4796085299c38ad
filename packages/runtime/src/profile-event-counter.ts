import { metricsKeys, type MetricFamily, type ScrapeCollector } from '@keepwatch/metrics';
import type { ProfilerEvent, ProfilerEventListener } from '@keepwatch/profiler';
import type { Redis } from 'ioredis';

const counted: readonly ProfilerEvent[] = ['skipped', 'throttled', 'written', 'dropped'];

// Inside the metrics store's hash tag, so it shares the store's Cluster slot and ACL pattern.
const key = (prefix: string): string => metricsKeys(prefix).family('profiles');

/** How long counts wait in memory before one pipeline sends them. */
const FLUSH_MS = 1000;

/** The profiler's listener, and the way to send what it has counted but not yet sent. */
export interface ProfileEventCounter {
  /** Give to the profiler as its `onEvent`. */
  readonly onEvent: ProfilerEventListener;
  /**
   * Sends the pending counts now and resolves once Redis has answered for them and for any
   * send already in flight. Never rejects: a lost count is not worth failing a shutdown for.
   * Call it after the profiler has closed (its last writes are counted too) and before the
   * Redis connection quits.
   */
  flush(): Promise<void>;
}

/**
 * Counts the profiler's events of every process (server and worker) in one Redis hash, so that
 * `keepwatch_profiles_skipped_total` is a fleet-wide counter like the view metrics. Events fire
 * on the request path (`throttled` on every sampled request while the profiler pauses), so they
 * are counted in memory and sent at most once a second, in one pipeline, fire-and-forget: a
 * request never waits on Redis, and an unreachable Redis costs only those counts.
 */
export function profileEventCounter(redis: Redis, prefix: string): ProfileEventCounter {
  const hash = key(prefix);
  const pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size > 0) {
      const pipeline = redis.pipeline();
      for (const [field, count] of pending) pipeline.hincrby(hash, field, count);
      pending.clear();
      const sent = pipeline.exec().catch(() => undefined);
      // Chained so that a flush also waits for a timer's send that has not been answered yet.
      inFlight = Promise.all([inFlight, sent]);
    }
    return inFlight.then(() => undefined);
  };
  return {
    onEvent: (event, detail) => {
      if (!counted.includes(event)) return;
      const field = `${event}:${detail.kind ?? 'request'}`;
      pending.set(field, (pending.get(field) ?? 0) + 1);
      if (!timer) {
        timer = setTimeout(() => void send(), FLUSH_MS);
        timer.unref();
      }
    },
    flush: send,
  };
}

/** The scrape-time families for those counters: `keepwatch_profiles_<event>_total{kind}`. */
export function profileEventCollector(redis: Redis, prefix: string): ScrapeCollector {
  return async () => {
    const fields = await redis.hgetall(key(prefix));
    return counted.map(
      (event): MetricFamily => ({
        name: `keepwatch_profiles_${event}_total`,
        help: helpText[event] ?? event,
        type: 'counter',
        values: (['request', 'task'] as const).map((kind) => ({
          value: Number(fields[`${event}:${kind}`] ?? 0),
          labels: { kind },
        })),
      }),
    );
  };
}

const helpText: Partial<Record<ProfilerEvent, string>> = {
  skipped: 'Sampled requests or jobs not profiled because another capture was running.',
  throttled: 'Sampled requests or jobs not profiled to keep the profiler within [profile] max_overhead.',
  written: 'CPU profiles written to the data directory.',
  dropped: 'Captured profiles lost (write failed or larger than [profile] max_bytes).',
};
