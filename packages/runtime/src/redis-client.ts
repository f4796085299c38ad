import { describeRedis, type KeepwatchConfig, redactUrl, redisMode } from '@keepwatch/config';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type RedisRole =
  /** Health probes, metrics, cache: fail fast when Redis is down, never queue forever. */
  | 'fast-fail'
  /** BullMQ queues and workers: BullMQ requires `maxRetriesPerRequest: null` and retries itself. */
  | 'bullmq';

/** What keepwatch talks to Redis through: one server or a Sentinel master (`Redis`), or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** The `[redis]` settings that say where Redis is. */
export type RedisSettings = Readonly<KeepwatchConfig['redis']>;

/** The same bounds in every mode: the health check's probe relies on them. */
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 2000;
// Reconnect forever with a capped backoff: Redis coming back must heal every process.
const backoff = (times: number) => Math.min(times * 200, 2000);

function roleOptions(role: RedisRole): RedisOptions {
  return role === 'bullmq'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : // The offline queue stays on so commands sent while connecting wait for the connection;
      // one retry and a command timeout bound how long anything waits when Redis is down.
      { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS };
}

/**
 * An ioredis client with options that suit its role. Connection errors are logged once per
 * outage (not once per reconnect attempt) when a logger is given, and never crash the process.
 *
 * Given the `[redis]` settings, the client follows their mode: `url` alone is one server;
 * `sentinels` asks the Sentinels for the master `sentinel_master` and asks again after a failover
 * (the url then only lends its password, database and TLS); `cluster_nodes` is a `Cluster` (the
 * url lends its user, password and TLS to every node). Every mode has the same connect and
 * command timeouts, so the health probe answers within its deadline in each.
 */
export function createRedisClient(url: string, role: RedisRole, extra?: RedisOptions, logger?: Logger): Redis;
export function createRedisClient(
  settings: RedisSettings,
  role: RedisRole,
  extra?: RedisOptions,
  logger?: Logger,
): RedisClient;
export function createRedisClient(
  target: string | RedisSettings,
  role: RedisRole,
  extra: RedisOptions = {},
  logger?: Logger,
): RedisClient {
  const settings: RedisSettings =
    typeof target === 'string' ? ({ url: target, prefix: 'keepwatch:' } as RedisSettings) : target;
  const mode = redisMode({ redis: settings });
  const common: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, ...roleOptions(role) };
  let client: RedisClient;
  if (mode === 'cluster') {
    const { lazyConnect, retryStrategy: _perNode, ...nodeExtra } = extra;
    const options: ClusterOptions = {
      clusterRetryStrategy: backoff,
      slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
      ...(lazyConnect === undefined ? {} : { lazyConnect }),
      redisOptions: { ...urlCredentials(settings.url), ...common, ...nodeExtra },
    };
    client = new Cluster(
      settings.cluster_nodes!.map(({ host, port }) => ({ host, port })),
      options,
    );
  } else if (mode === 'sentinel') {
    const options: RedisOptions = {
      ...common,
      retryStrategy: backoff,
      sentinels: settings.sentinels!.map(({ host, port }) => ({ host, port })),
      name: settings.sentinel_master!,
      ...(settings.sentinel_password === undefined ? {} : { sentinelPassword: settings.sentinel_password }),
      sentinelCommandTimeout: COMMAND_TIMEOUT_MS,
      // Each client also listens to the Sentinels' +switch-master, so a master that is still
      // reachable but demoted (a partition) is left at once instead of at the next error.
      failoverDetector: true,
      // rediss:// in the url: TLS to the master (the Sentinels themselves are asked in clear).
      ...(settings.url?.startsWith('rediss://') ? { enableTLSForSentinelMode: true } : {}),
      // A demoted master answers writes with READONLY: reconnect (asking the Sentinels again) and
      // resend, rather than failing every write until the connection happens to drop.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      ...extra,
    };
    client = settings.url ? new Redis(settings.url, options) : new Redis(options);
  } else {
    client = new Redis(settings.url!, { ...common, retryStrategy: backoff, ...extra });
  }
  logOutages(
    client,
    typeof target === 'string' ? redactUrl(target) : describeRedis({ redis: settings }).summary,
    logger,
  );
  return client;
}

/** The user, password and TLS of a url, as ioredis reads them, for the nodes of a Cluster. */
function urlCredentials(url: string | undefined): RedisOptions {
  if (!url) return {};
  const parsed = new URL(url);
  const username = decodeURIComponent(parsed.username) || parsed.searchParams.get('username') || undefined;
  const password = decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || undefined;
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** One warning when Redis goes away, one info line when it is back; never one per retry. */
function logOutages(client: RedisClient, where: string, logger: Logger | undefined): void {
  let down = false;
  const onError = (error: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ redis: where, err: { message: error.message } }, 'redis unreachable; retrying');
  };
  client.on('error', onError);
  // A Cluster reports a failing node here, not as 'error'.
  if (client instanceof Cluster) client.on('node error', onError);
  client.on('ready', () => {
    if (down) logger?.info({ redis: where }, 'redis reachable again');
    down = false;
  });
}

/**
 * Closes a client after the replies to what it already sent: QUIT, then `disconnect()`, which a
 * Sentinel client needs too: QUIT leaves its failover detector's Sentinel connections open, and
 * they kept `keepwatch health` from ever exiting.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  await client.quit().catch(() => undefined);
  client.disconnect();
}

/**
 * Waits until the client is connected, at most `timeoutMs`; resolves false on time-out. A
 * short-lived command (the CLI) calls this before checking, so a Redis that is merely still
 * connecting is not reported as down.
 */
export function waitForRedis(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}
