import { errorMessage } from '@keepwatch/errors';
import { bearerMatches } from './bearer-token.js';
import type { HealthChecker } from './health-checker.js';
import type { HealthReport } from './health-report.js';
import type { ResolvedHealthHttpOptions } from './http-options.js';
import { redactMessage } from './redact.js';

/** What the readiness and liveness endpoints answer, framework-neutral. */
export interface HealthResponse {
  readonly status: 200 | 503;
  readonly headers: Readonly<Record<string, string>>;
  /** Empty unless an admin asked for the JSON. */
  readonly body: string;
}

const NO_STORE = Object.freeze({ 'cache-control': 'no-store' });

/** The liveness answer: the process is up and serving, nothing else is checked. */
export const liveResponse: HealthResponse = Object.freeze({ status: 200, headers: NO_STORE, body: '' });

/**
 * The readiness answer: empty `200` when every probe passed, empty `503` otherwise, and the
 * report as JSON for a request carrying the admin token. Never rejects: whatever goes wrong
 * becomes a `503`.
 */
export async function readinessResponse(
  checker: HealthChecker,
  options: ResolvedHealthHttpOptions,
  authorization: string | undefined,
): Promise<HealthResponse> {
  let report: HealthReport;
  try {
    report = await checker.check();
  } catch (error) {
    report = {
      ok: false,
      checks: [{ name: 'checker', ok: false, latencyMs: 0, error: redactMessage(errorMessage(error)) }],
    };
  }
  const status = report.ok ? 200 : 503;
  if (options.adminTokenDigest && bearerMatches(authorization, options.adminTokenDigest)) {
    return {
      status,
      headers: { ...NO_STORE, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ok: report.ok, checks: report.checks }),
    };
  }
  return { status, headers: NO_STORE, body: '' };
}
