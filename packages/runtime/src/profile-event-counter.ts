import type { MetricFamily, ScrapeCollector } from '@keepwatch/metrics';
import type { ProfilerEvent, ProfilerEventListener } from '@keepwatch/profiler';
import type { Redis } from 'ioredis';

const counted: readonly ProfilerEvent[] = ['skipped', 'throttled', 'written', 'dropped'];

function key(prefix: string): string {
  // Inside the metrics store's hash tag, so it shares the store's Cluster slot and ACL pattern.
  return `{${prefix}metrics}:profiles`;
}

/**
 * Counts the profiler's events of every process (server and worker) in one Redis hash, so that
 * `keepwatch_profiles_skipped_total` is a fleet-wide counter like the view metrics. The write is
 * fire-and-forget: these events are rare and must never slow or fail the request they concern.
 */
export function profileEventCounter(redis: Redis, prefix: string): ProfilerEventListener {
  return (event, detail) => {
    if (!counted.includes(event)) return;
    redis.hincrby(key(prefix), `${event}:${detail.kind ?? 'request'}`, 1).catch(() => undefined);
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
