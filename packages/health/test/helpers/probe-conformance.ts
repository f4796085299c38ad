import { afterEach, describe, expect, it } from 'vitest';
import { createHealthChecker, type Probe } from '../../src/index.js';

export interface ProbeConformanceSetup {
  /** A probe of a working service. */
  healthy(): Probe | Promise<Probe>;
  /** A probe of a service that refuses connections or is stopped. */
  down(): Probe | Promise<Probe>;
  /** A probe of a server that accepts TCP and never answers. */
  silent(): Probe | Promise<Probe>;
}

/**
 * The behaviour every probe owes the checker, run against each probe kind (one suite, like
 * unstorage's driver tests): a new probe is done when it passes this.
 */
export function describeProbeConformance(label: string, setup: ProbeConformanceSetup): void {
  describe(`${label} probe conformance`, () => {
    const made: Probe[] = [];
    const make = async (factory: () => Probe | Promise<Probe>) => {
      const probe = await factory();
      made.push(probe);
      return probe;
    };
    afterEach(async () => {
      await Promise.allSettled(made.splice(0).map((probe) => probe.close?.()));
    });

    it('passes against a working service, check after check', async () => {
      const probe = await make(setup.healthy);
      const checker = createHealthChecker({ probes: [probe], timeoutMs: 2000 });
      for (let i = 0; i < 3; i++) {
        const report = await checker.check();
        expect(report).toEqual({ ok: true, checks: [{ name: probe.name, ok: true, latencyMs: expect.any(Number) }] });
      }
    });

    it('fails with a message against a service that is down, without waiting for the timeout', async () => {
      const probe = await make(setup.down);
      const checker = createHealthChecker({ probes: [probe], timeoutMs: 1500, deadlineMs: 2000 });
      const report = await checker.check();
      expect(report.ok).toBe(false);
      expect(report.checks[0]!.error).toEqual(expect.any(String));
      expect(report.checks[0]!.error).not.toMatch(/timed out/);
      expect(report.checks[0]!.latencyMs).toBeLessThan(1500);
    });

    it('fails within its timeout against a silent server, and so does the next check', async () => {
      const probe = await make(setup.silent);
      const checker = createHealthChecker({ probes: [probe], timeoutMs: 300, deadlineMs: 1000 });
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        const report = await checker.check();
        const elapsed = performance.now() - started;
        expect(report.ok).toBe(false);
        expect(report.checks[0]!.error).toMatch(/timed out after 300 ms|not ready/);
        expect(elapsed).toBeLessThan(300 + 250);
      }
    });
  });
}
