import { errorMessage } from '@keepwatch/errors';
import type { CheckResult, HealthReport } from './health-report.js';
import { ShuttingDownError } from './errors.js';
import { resolveHealthCheckerOptions, type HealthCheckerOptions } from './options.js';
import { redactMessage } from './redact.js';
import { runProbes } from './run-probes.js';

export interface HealthChecker {
  /**
   * Runs the probes, or joins the check already in flight (1000 concurrent callers cause one
   * run), or returns a result younger than `cacheMs`. Never rejects, and settles within the
   * deadline.
   */
  check(): Promise<HealthReport>;
  /**
   * Graceful shutdown, step one: from now on every check (including callers waiting on the
   * check in flight) reports failure at once, so load balancers stop sending traffic.
   */
  markShuttingDown(): void;
  readonly shuttingDown: boolean;
  /** Marks shutting down and frees what the probes created themselves (not the clients given). */
  close(): Promise<void>;
}

/** A checker over `probes`; see `HealthCheckerOptions` for timeouts, deadline and caching. */
export function createHealthChecker(options: HealthCheckerOptions): HealthChecker {
  const { probes, timeoutMs, deadlineMs, cacheMs, logger } = resolveHealthCheckerOptions(options);

  let inFlight: Promise<HealthReport> | undefined;
  // Resolves the check in flight early; one per run, so nothing accumulates on a promise that
  // stays pending for the life of the process (as a Promise.race per call would).
  let endInFlight: ((report: HealthReport) => void) | undefined;
  let last: { report: HealthReport; at: number } | undefined;
  let shuttingDown = false;
  const failing = new Set<string>();

  const shutdownReport: HealthReport = Object.freeze({
    ok: false,
    checks: Object.freeze(
      probes.map(
        (probe): CheckResult =>
          Object.freeze({ name: probe.name, ok: false, latencyMs: 0, error: new ShuttingDownError().message }),
      ),
    ),
  });

  function logTransitions(report: HealthReport): void {
    if (!logger) return;
    // Only changes are logged: with cacheMs 0 a busy load balancer runs thousands of checks.
    for (const check of report.checks) {
      if (!check.ok && !failing.has(check.name)) {
        failing.add(check.name);
        logger.warn({ probe: check.name, error: check.error, latencyMs: check.latencyMs }, 'health probe failing');
      } else if (check.ok && failing.delete(check.name)) {
        logger.info({ probe: check.name, latencyMs: check.latencyMs }, 'health probe recovered');
      }
    }
  }

  function run(): Promise<HealthReport> {
    if (inFlight) return inFlight;
    const current = new Promise<HealthReport>((resolve) => {
      endInFlight = resolve;
      const settle = (report: HealthReport): void => {
        if (!shuttingDown) {
          last = { report, at: Date.now() };
          logTransitions(report);
        }
        resolve(report);
      };
      // runProbes does not reject; should it ever, callers still get an answer, not a hang.
      runProbes(probes, timeoutMs, deadlineMs).then(settle, (error: unknown) =>
        settle({
          ok: false,
          checks: [{ name: 'checker', ok: false, latencyMs: 0, error: redactMessage(errorMessage(error)) }],
        }),
      );
    }).finally(() => {
      if (inFlight === current) {
        inFlight = undefined;
        endInFlight = undefined;
      }
    });
    inFlight = current;
    return current;
  }

  function markShuttingDown(): void {
    if (shuttingDown) return;
    shuttingDown = true;
    last = undefined;
    endInFlight?.(shutdownReport);
  }

  return {
    check() {
      if (shuttingDown) return Promise.resolve(shutdownReport);
      if (last && cacheMs > 0 && Date.now() - last.at < cacheMs) return Promise.resolve(last.report);
      return run();
    },
    markShuttingDown,
    get shuttingDown() {
      return shuttingDown;
    },
    async close() {
      markShuttingDown();
      await Promise.allSettled(probes.map((probe) => probe.close?.()));
    },
  };
}
