import { errorMessage } from '@keepwatch/errors';
import { performance } from 'node:perf_hooks';
import { raceAbort } from './abort.js';
import { HealthDeadlineError, ProbeTimeoutError } from './errors.js';
import type { CheckResult, HealthReport } from './health-report.js';
import type { Probe } from './probe.js';
import { redactMessage } from './redact.js';

/**
 * Runs every probe at once, each with its own timeout, all under one deadline. Never rejects:
 * a probe that throws, rejects or hangs is a failed check.
 */
export async function runProbes(
  probes: readonly Probe[],
  timeoutMs: number,
  deadlineMs: number,
): Promise<HealthReport> {
  const controllers = probes.map(() => new AbortController());
  // One timer for the deadline rather than AbortSignal.any() per probe: cheaper on the hot path
  // and clear of the listener leaks AbortSignal.any() had in Node 20.
  const deadline = setTimeout(() => {
    const reason = new HealthDeadlineError(deadlineMs);
    for (const controller of controllers) controller.abort(reason);
  }, deadlineMs);
  try {
    const checks = await Promise.all(
      probes.map((probe, index) => runProbe(probe, controllers[index]!, probe.timeoutMs ?? timeoutMs)),
    );
    return Object.freeze({ ok: checks.every((check) => check.ok), checks: Object.freeze(checks) });
  } finally {
    clearTimeout(deadline);
  }
}

async function runProbe(probe: Probe, controller: AbortController, timeoutMs: number): Promise<CheckResult> {
  const { signal } = controller;
  const timer = setTimeout(() => controller.abort(new ProbeTimeoutError(probe.name, timeoutMs)), timeoutMs);
  const started = performance.now();
  try {
    // Promise.resolve().then(): a probe that throws synchronously is a failed check too.
    await raceAbort(
      Promise.resolve().then(() => probe.check(signal)),
      signal,
    );
    return Object.freeze({ name: probe.name, ok: true, latencyMs: elapsed(started) });
  } catch (error) {
    // After an abort the probe's own error ("Connection terminated") is a consequence; the
    // reason (timeout or deadline) is what a person needs to read.
    const cause = signal.aborted ? signal.reason : error;
    return Object.freeze({
      name: probe.name,
      ok: false,
      latencyMs: elapsed(started),
      error: redactMessage(errorMessage(cause)),
    });
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
