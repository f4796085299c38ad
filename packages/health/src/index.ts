export type { Probe } from './probe.js';
export { defineProbe } from './probe.js';
export type { CheckResult, HealthReport } from './health-report.js';
export type { HealthChecker } from './health-checker.js';
export { createHealthChecker } from './health-checker.js';
export type { HealthCheckerOptions, ResolvedHealthCheckerOptions } from './options.js';
export { resolveHealthCheckerOptions } from './options.js';
export type { HealthLogger } from './logger.js';
export {
  HealthDeadlineError,
  HealthDependencyMissingError,
  HealthOptionsError,
  ProbeClientNotReadyError,
  ProbeFailedError,
  ProbeTimeoutError,
  ShuttingDownError,
} from './errors.js';
export { redactMessage } from './redact.js';
export { bearerMatches, digest as bearerTokenDigest } from './bearer-token.js';
export type { PgConnectionOptions, PgPoolClientLike, PgPoolLike, PostgresProbeOptions } from './postgres-probe.js';
export { postgresProbe } from './postgres-probe.js';
export type { MysqlPoolConnectionLike, MysqlPoolLike, MysqlProbeOptions } from './mysql-probe.js';
export { mysqlProbe } from './mysql-probe.js';
export type { RedisClientLike, RedisPipelineLike, RedisProbeOptions } from './redis-probe.js';
export { redisProbe } from './redis-probe.js';
export type { Cache } from './cache.js';
export type { MemoryCacheOptions } from './memory-cache.js';
export { createMemoryCache } from './memory-cache.js';
export type { RedisCacheClientLike, RedisCacheOptions } from './redis-cache.js';
export { createRedisCache } from './redis-cache.js';
export type { CacheProbeOptions } from './cache-probe.js';
export { cacheProbe } from './cache-probe.js';
export type { HealthHttpOptions, ResolvedHealthHttpOptions } from './http-options.js';
export { resolveHealthHttpOptions } from './http-options.js';
export type { HealthResponse } from './health-response.js';
export { liveResponse, readinessResponse } from './health-response.js';
export { createHealthHandler } from './node-handler.js';
