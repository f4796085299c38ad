import * as z from 'zod/mini';
import { HealthOptionsError } from './errors.js';
import type { HealthLogger } from './logger.js';
import type { Probe } from './probe.js';
import { english } from './zod.js';

export interface HealthCheckerOptions {
  /** What to check; run in parallel on every check. Names must be unique. */
  probes: readonly Probe[];
  /**
   * Time one probe may take before it counts as failed.
   * @defaultValue 2000
   */
  timeoutMs?: number;
  /**
   * Time the whole check may take, whatever the probes' own timeouts: a load balancer's probe
   * timeout should be a little longer than this.
   * @defaultValue 2500
   */
  deadlineMs?: number;
  /**
   * Reuse a finished result for this long (0: every check after the one in flight runs the
   * probes again). Concurrent callers always share the check in flight.
   * @defaultValue 0
   */
  cacheMs?: number;
  /**
   * A pino (or pino-compatible) logger: a probe that starts or stops failing is logged once at
   * `warn` / `info`, with its redacted message.
   * @defaultValue no logging
   */
  logger?: HealthLogger;
}

export interface ResolvedHealthCheckerOptions {
  readonly probes: readonly Probe[];
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly cacheMs: number;
  readonly logger: HealthLogger | undefined;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const positiveMs = z.int().check(z.positive(), z.lte(600_000));

const probeSchema = z.object({
  name: z.string().check(z.minLength(1)),
  check: z.custom<Probe['check']>(isFunction, 'must be a function check(signal)'),
  timeoutMs: z.optional(positiveMs),
});

const schema = z.object({
  probes: z.array(probeSchema),
  timeoutMs: z._default(positiveMs, 2000),
  deadlineMs: z._default(positiveMs, 2500),
  cacheMs: z._default(z.int().check(z.gte(0), z.lte(3_600_000)), 0),
  logger: z.optional(
    z.custom<HealthLogger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        isFunction((value as HealthLogger).warn) &&
        isFunction((value as HealthLogger).info),
      'must have warn() and info() (a pino logger)',
    ),
  ),
});

/** Merges defaults and validates once; throws a `HealthOptionsError` listing every problem. */
export function resolveHealthCheckerOptions(options: HealthCheckerOptions): ResolvedHealthCheckerOptions {
  const parsed = parseOptions('health checker options', schema, options, duplicateNames(options.probes));
  return Object.freeze({
    // The caller's own probe objects, not zod's copies: a probe may be a class instance.
    probes: Object.freeze([...options.probes]),
    timeoutMs: parsed.timeoutMs,
    deadlineMs: parsed.deadlineMs,
    cacheMs: parsed.cacheMs,
    logger: options.logger,
  });
}

// Outside the schema: zod skips an array's refinements once one element is invalid, and every
// problem should be listed at once.
function duplicateNames(probes: unknown): string[] {
  if (!Array.isArray(probes)) return [];
  const seen = new Set<unknown>();
  const problems: string[] = [];
  for (const [index, probe] of probes.entries()) {
    const name: unknown = (probe as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') continue;
    if (seen.has(name)) problems.push(`probes.${index}.name: duplicate probe name "${name}"`);
    seen.add(name);
  }
  return problems;
}

/**
 * Validates with a zod schema; every issue (and every `extraProblems` entry) becomes one
 * `key: problem` entry of a single error.
 */
export function parseOptions<S extends z.ZodMiniType>(
  what: string,
  schema: S,
  value: unknown,
  extraProblems: readonly string[] = [],
): z.output<S> {
  const result = schema.safeParse(value, english);
  if (result.success && extraProblems.length === 0) return result.data;
  const issues = result.success ? [] : result.error.issues;
  throw new HealthOptionsError(what, [
    ...issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`),
    ...extraProblems,
  ]);
}
