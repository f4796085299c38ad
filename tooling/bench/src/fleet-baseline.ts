/**
 * prom-client's side of fleet-scrape.ts, in a process of its own as keepwatch's reader is in its
 * own heap: told `{ series, kind, processes }`, it fills a registry with the same series (each at
 * the process count, as the fleet's sums are), then answers each `'render'` with the ms its
 * `metrics()` took. A registry of 100 000 series in the driver's heap slowed the driver's own
 * scrapes (every full garbage collection walked it too).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { labelSet } from './fleet-series.js';

let registry = new Registry();

process.on(
  'message',
  (message: { series: number; kind: 'counter' | 'gauge'; processes: number } | 'render' | 'exit') => {
    if (message === 'exit') process.exit(0);
    if (message === 'render') {
      const start = process.hrtime.bigint();
      void registry.metrics().then(() => process.send?.({ ms: Number(process.hrtime.bigint() - start) / 1e6 }));
      return;
    }
    const { series, kind, processes } = message;
    registry = new Registry();
    const options = { help: 'h', labelNames: ['route', 'status'], registers: [registry] };
    if (kind === 'counter') {
      const counter = new Counter({ name: 'bench_requests_total', ...options });
      for (let i = 0; i < series; i++) counter.inc(labelSet(i), processes);
    } else {
      const gauge = new Gauge({ name: 'bench_open_connections', ...options });
      for (let i = 0; i < series; i++) gauge.set(labelSet(i), processes);
    }
    process.send?.({ ready: true });
  },
);
process.send?.({ ready: true });
