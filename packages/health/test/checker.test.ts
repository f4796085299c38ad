import { logLines } from '@keepwatch/test-support/log-lines';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createHealthChecker, defineProbe, HealthOptionsError, type Probe } from '../src/index.js';
import { sleep, timed } from './helpers/timing.js';

/** A probe that takes `ms`, honours its signal, and counts its runs. */
function slowProbe(name: string, ms: number): Probe & { runs: number } {
  const probe = {
    name,
    runs: 0,
    check(signal: AbortSignal) {
      probe.runs++;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
    },
  };
  return probe;
}
const hanging = (name: string, timeoutMs?: number) =>
  defineProbe(name, () => new Promise(() => undefined), timeoutMs === undefined ? {} : { timeoutMs });

describe('health checker', () => {
  it('runs probes in parallel: two 200 ms probes take about 200 ms, not 400', async () => {
    const checker = createHealthChecker({ probes: [slowProbe('a', 200), slowProbe('b', 200)] });
    const { value, ms } = await timed(() => checker.check());
    expect(value.ok).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(195);
    // Run one after the other they would take 400 ms.
    expect(ms).toBeLessThan(380);
    expect(value.checks.map((c) => c.name)).toEqual(['a', 'b']);
    for (const check of value.checks) expect(check.latencyMs).toBeGreaterThanOrEqual(195);
  });

  it('fails a probe that exceeds its timeout, aborts its signal, and keeps the others', async () => {
    let aborted: unknown;
    const watcher = defineProbe(
      'watcher',
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(new Error('gave up'));
          });
        }),
    );
    const checker = createHealthChecker({ probes: [watcher, slowProbe('fast', 10)], timeoutMs: 100 });
    const { value, ms } = await timed(() => checker.check());
    expect(ms).toBeLessThan(250);
    expect(value.ok).toBe(false);
    expect(value.checks[0]).toMatchObject({
      name: 'watcher',
      ok: false,
      error: 'probe "watcher" timed out after 100 ms',
    });
    expect(value.checks[1]).toMatchObject({ name: 'fast', ok: true });
    expect((aborted as { code?: string }).code).toBe('KW_HEALTH_PROBE_TIMEOUT');
  });

  it('answers at the deadline even when a probe ignores its signal and has a longer own timeout', async () => {
    const checker = createHealthChecker({
      probes: [hanging('stuck', 10_000), slowProbe('ok', 5)],
      timeoutMs: 10_000,
      deadlineMs: 200,
    });
    const { value, ms } = await timed(() => checker.check());
    expect(ms).toBeLessThan(350);
    expect(value.checks[0]).toMatchObject({ ok: false, error: 'health check deadline of 200 ms exceeded' });
    expect(value.checks[1]).toMatchObject({ ok: true });
  });

  it('turns a probe that throws synchronously or rejects with a non-Error into a failed check', async () => {
    const sync: Probe = {
      name: 'sync',
      check: () => {
        throw new Error('boom');
      },
    };
    const odd = defineProbe('odd', () => Promise.reject('plain string'));
    const report = await createHealthChecker({ probes: [sync, odd] }).check();
    expect(report).toEqual({
      ok: false,
      checks: [
        { name: 'sync', ok: false, latencyMs: expect.any(Number), error: 'boom' },
        { name: 'odd', ok: false, latencyMs: expect.any(Number), error: 'plain string' },
      ],
    });
  });

  it('keeps passwords and tokens out of error messages', async () => {
    const probe = defineProbe('db', () => {
      throw new Error(
        'connect to postgres://admin:hunter2-Secret@db.internal:5432/app failed; dsn "host=db password=hunter3 user=x"; Authorization: Bearer tok_ABC123',
      );
    });
    const report = await createHealthChecker({ probes: [probe] }).check();
    const error = report.checks[0]!.error!;
    for (const secret of ['hunter2-Secret', 'hunter3', 'tok_ABC123', 'admin:']) expect(error).not.toContain(secret);
    expect(error).toContain('db.internal:5432/app');
  });

  it('lets 1000 concurrent callers share one run of the probes', async () => {
    const probe = slowProbe('db', 50);
    const checker = createHealthChecker({ probes: [probe] });
    const reports = await Promise.all(Array.from({ length: 1000 }, () => checker.check()));
    expect(probe.runs).toBe(1);
    expect(new Set(reports).size).toBe(1);
    await checker.check();
    expect(probe.runs).toBe(2);
  });

  it('reuses a result younger than cacheMs, then checks again', async () => {
    const probe = slowProbe('db', 1);
    const checker = createHealthChecker({ probes: [probe], cacheMs: 150 });
    await checker.check();
    await checker.check();
    expect(probe.runs).toBe(1);
    await sleep(200);
    await checker.check();
    expect(probe.runs).toBe(2);
  });

  it('reports failure at once after markShuttingDown, also to callers waiting on the check in flight', async () => {
    const probe = slowProbe('db', 1000);
    const checker = createHealthChecker({ probes: [probe] });
    const waiting = timed(() => checker.check());
    await sleep(20);
    checker.markShuttingDown();
    const { value, ms } = await waiting;
    expect(ms).toBeLessThan(200);
    expect(checker.shuttingDown).toBe(true);
    expect(value).toEqual({
      ok: false,
      checks: [{ name: 'db', ok: false, latencyMs: 0, error: 'not checked: the service is shutting down' }],
    });
    const runs = probe.runs;
    expect((await checker.check()).ok).toBe(false);
    expect(probe.runs).toBe(runs);
  });

  it('closes what probes own on close()', async () => {
    let closed = 0;
    const probe: Probe = { name: 'p', check: async () => undefined, close: async () => void closed++ };
    const checker = createHealthChecker({ probes: [probe] });
    await checker.close();
    expect(closed).toBe(1);
    expect((await checker.check()).ok).toBe(false);
  });

  it('logs a probe once when it starts failing and once when it recovers, with a redacted message', async () => {
    const { stream: sink, lines } = logLines();
    let healthy = false;
    const probe = defineProbe('redis', () => {
      if (!healthy) throw new Error('redis://:pw-Secret@cache:6379 refused');
    });
    const checker = createHealthChecker({ probes: [probe], logger: pino({ level: 'info' }, sink) });
    await checker.check();
    await checker.check();
    healthy = true;
    await checker.check();
    await checker.check();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.level, l.msg, l.probe])).toEqual([
      [40, 'health probe failing', 'redis'],
      [30, 'health probe recovered', 'redis'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('pw-Secret');
  });
});

describe('health checker options', () => {
  it('uses 2000 / 2500 / 0 by default', async () => {
    const { resolveHealthCheckerOptions } = await import('../src/index.js');
    expect(resolveHealthCheckerOptions({ probes: [] })).toMatchObject({
      timeoutMs: 2000,
      deadlineMs: 2500,
      cacheMs: 0,
    });
  });

  it('lists every problem at once, each by its key', () => {
    const bad = { name: 'a', check: 'nope' } as unknown as Probe;
    let error: unknown;
    try {
      createHealthChecker({
        probes: [bad, defineProbe('x', () => 1), defineProbe('x', () => 1)],
        timeoutMs: -1,
        deadlineMs: 1.5,
        cacheMs: -3,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HealthOptionsError);
    const { problems } = error as HealthOptionsError;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^probes\.0\.check: /),
        'probes.2.name: duplicate probe name "x"',
        expect.stringMatching(/^timeoutMs: /),
        expect.stringMatching(/^deadlineMs: /),
        expect.stringMatching(/^cacheMs: /),
      ]),
    );
    expect(problems).toHaveLength(5);
  });
});
