/** The outcome of one probe within a check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Wall time until the probe answered or was given up on. */
  readonly latencyMs: number;
  /** Why it failed: short, one line, with credentials and connection strings removed. */
  readonly error?: string;
}

/** The outcome of one check: `ok` only when every probe passed. */
export interface HealthReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}
