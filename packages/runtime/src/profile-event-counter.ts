import type { FamilyDeclarations } from '@keepwatch/metrics';
import type { ProfilerEvent, ProfilerEventListener } from '@keepwatch/profiler';

const helpText = {
  skipped: 'Sampled requests or jobs not profiled because another capture was running.',
  throttled: 'Sampled requests or jobs not profiled to keep the profiler within [profile] max_overhead.',
  written: 'CPU profiles written to the data directory.',
  dropped: 'Captured profiles lost (write failed or larger than [profile] max_bytes).',
} as const satisfies Partial<Record<ProfilerEvent, string>>;

const kinds = ['request', 'task'] as const;

/**
 * Counts the profiler's events of every process (server and worker) as families of the metrics
 * store, `keepwatch_profiles_<event>_total{kind}`, each shown from 0. They fire on the request
 * path (`throttled` on every sampled request while the profiler pauses): each (event, kind) is
 * found once here, so an event costs one increment of the store's buffer, and the store's
 * flusher sends it with everything else (its last flush on `close()`, after the profiler's).
 * Give the result to the profiler as its `onEvent`.
 */
export function profileEventCounter(store: Pick<FamilyDeclarations, 'counter'>): ProfilerEventListener {
  const series = new Map<string, Map<string, { inc(): void }>>();
  for (const [event, help] of Object.entries(helpText)) {
    const counter = store.counter({ name: `keepwatch_profiles_${event}_total`, help, labelNames: ['kind'] });
    const byKind = new Map<string, { inc(): void }>();
    for (const kind of kinds) {
      counter.inc({ kind }, 0);
      byKind.set(kind, counter.labels(kind));
    }
    series.set(event, byKind);
  }
  return (event, detail) =>
    series
      .get(event)
      ?.get(detail.kind ?? 'request')
      ?.inc();
}
