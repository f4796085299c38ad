import { BackupToolFailedError } from './errors.js';

/** A failure of one part of a pipeline and when it happened. */
export interface Failure {
  error: unknown;
  at: number;
}

/** Settles like `promise`, remembering when it rejected. */
export async function timed(promise: Promise<unknown>): Promise<Failure | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return { error, at: performance.now() };
  }
}

/**
 * When one part of a pipeline fails, the others fail after it (a broken pipe, a closed stream, a
 * process we killed). The error worth reporting is the most upstream one that is not such an
 * echo: `failures` come in pipeline order, and a downstream tool failing on input an upstream
 * one left incomplete (zstd on the empty output of an `age -d` with the wrong identity) can exit
 * before the upstream failure is seen, so the clock is only the tie-breaker among echoes.
 */
export function rootCause(failures: (Failure | undefined)[]): unknown {
  const real = failures.filter((f): f is Failure => f !== undefined);
  if (real.length === 0) return undefined;
  const causes = real.filter((f) => !isEcho(f.error));
  if (causes.length > 0) return causes[0]!.error;
  return real.reduce((a, b) => (b.at < a.at ? b : a)).error;
}

function isEcho(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') return true;
  if (error instanceof BackupToolFailedError) {
    // PostgreSQL's tools catch SIGTERM and exit 1 saying "terminated by user": stopped by us.
    return error.signal !== null || /broken pipe|terminated by user/i.test(error.stderrTail);
  }
  return false;
}
