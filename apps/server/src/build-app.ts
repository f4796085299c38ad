import type { IncomingMessage } from 'node:http';
import { type KeepwatchConfig, redisMode } from '@keepwatch/config';
import type { HealthChecker } from '@keepwatch/health';
import { fastifyHealth } from '@keepwatch/health/fastify';
import { QueueName, bullmqPrefix } from '@keepwatch/jobs';
import { createMetricsExposition, defaultUnmatchedName, queueCollector, type MetricsStore } from '@keepwatch/metrics';
import { fastifyMetrics, fastifyRouteName } from '@keepwatch/metrics/fastify';
import type { Profiler } from '@keepwatch/profiler';
import { profilerPlugin } from '@keepwatch/profiler/fastify';
import {
  backupDestinationFromConfig,
  backupRepositoryFromConfig,
  backupStatusFromConfig,
  carryOverLegacyBackupStatus,
  createHealthCheckerFromConfig,
  createMetricsStoreFromConfig,
  createProfilerFromConfig,
  logQueueErrors,
  profileEventCounter,
  profilesDirectory,
  type Resources,
} from '@keepwatch/runtime';
import { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { adminApi } from './admin/admin-api.js';
import { RedactingLogController } from './redacting-log-controller.js';

export interface BuildAppOptions {
  config: Readonly<KeepwatchConfig>;
  logger: Logger;
  resources: Resources;
  /** The instance secret (signs download links). */
  secret: string;
  /** Fastify's `requestTimeout`: the longest a request (headers and body) may take to arrive. @defaultValue 30 s */
  requestTimeoutMs?: number;
}

export interface BuiltApp {
  app: FastifyInstance;
  checker: HealthChecker;
  profiler: Profiler;
  metrics: MetricsStore | undefined;
  /** Health turns 503 first, then the server drains and closes, then plugins flush. */
  close(): Promise<void>;
}

/** A request that announced a body (a length, or chunks). */
function announcesBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  return (length !== undefined && length !== '0') || raw.headers['transfer-encoding'] !== undefined;
}

/** Assembles the Fastify app from the packages; no listening, so tests can `inject()`. */
export async function buildApp(options: BuildAppOptions): Promise<BuiltApp> {
  const { config, logger, resources } = options;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    // pino's Logger is wider than Fastify's base logger type; at run time it is the same object.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RedactingLogController(),
    trustProxy: config.server.trust_proxy,
    // Keep-alive connections with no request in flight are closed on shutdown; requests in
    // flight finish. New requests during close get 503 (Fastify's return503OnClosing).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Nothing keepwatch serves takes a large body; a slow client cannot hold a socket forever.
    bodyLimit: 1024 * 1024,
    requestTimeout,
    http: {
      // Node takes the smaller of the two timeouts for the headers and the larger for the whole
      // request: with its default headersTimeout (60 s) a body had 60 s, not requestTimeout.
      headersTimeout: Math.min(10_000, requestTimeout),
      // Node checks both only this often (30 s by default): a body sent a byte a second held its
      // socket 75 to 89 s. Checking every second keeps the bound within a second of requestTimeout.
      connectionsCheckingInterval: 1000,
    },
  });

  // Registered first so its hooks see every route; at rate 0 it adds none.
  const metrics = createMetricsStoreFromConfig(config, resources.redis, logger);
  // Listed by the admin API, its runnable sources shown from 0 and startable; the server never
  // runs a backup, so it needs no remote.
  const repository = backupRepositoryFromConfig(config, { env: process.env, remote: null, logger });
  // Queues for the admin API (start a backup) and the queue gauges; producers only.
  const queues: Queue[] = resources.redis
    ? [QueueName.backup, QueueName.maintenance].map((name) => {
        const queue = new Queue(name, {
          connection: resources.redis!,
          prefix: bullmqPrefix(config.redis.prefix, { cluster: redisMode(config) === 'cluster' }),
        });
        logQueueErrors(queue, resources.redis!, logger, { queue: name });
        return queue;
      })
    : [];
  const profiler = createProfilerFromConfig(config, logger, metrics ? profileEventCounter(metrics) : undefined);
  // The same name the metrics record, so a slow series in Prometheus leads to its profiles.
  await app.register(profilerPlugin, {
    profiler,
    urlName: (request) => fastifyRouteName(request) ?? defaultUnmatchedName,
  });

  if (metrics && resources.redis) {
    // Every configured backup source from 0, so the alert on a missing backup fires even while
    // no worker has run one; the workers record the outcomes.
    const sources = repository.runnable;
    carryOverLegacyBackupStatus(resources.redis, config.redis.prefix, metrics, sources).catch((error: unknown) =>
      logger.warn({ err: { message: (error as Error).message } }, 'could not carry the backup status over'),
    );
    backupStatusFromConfig(config, metrics);
    const exposition = createMetricsExposition({
      store: metrics,
      enabled: true,
      ...(config.metrics.user ? { user: config.metrics.user } : {}),
      ...(config.metrics.passphrase ? { passphrase: config.metrics.passphrase } : {}),
      collectors: [queueCollector(queues)],
      logger,
    });
    await app.register(fastifyMetrics, {
      recorder: metrics,
      exposition,
      // Probes and scrapes are not views: they would drown the request counts.
      excludePaths: ['/healthcheck/', '/healthcheck/live', '/metrics'],
    });
  }

  const checker = createHealthCheckerFromConfig(config, resources, logger);
  await app.register(fastifyHealth, {
    checker,
    ...(config.server.admin_token ? { adminToken: config.server.admin_token } : {}),
  });

  if (config.server.admin_token) {
    await app.register(adminApi, {
      prefix: '/api',
      token: config.server.admin_token,
      secret: options.secret,
      profilesDirectory: profilesDirectory(config),
      backupDestination: backupDestinationFromConfig(config, logger),
      backupRepository: repository,
      backupQueue: queues.find((queue) => queue.name === QueueName.backup),
      queueConnection: resources.redis,
      backupSources: repository.runnable,
    });
  }

  let closing: Promise<void> | undefined;
  // A response finished after shutdown began tells its keep-alive client to go: otherwise the
  // idle connection would hold the server open until the keep-alive timeout.
  // A callback hook, not an async one: it runs on every response, and an async hook costs a
  // promise per request for a flag that is false until shutdown.
  //
  // An early answer (a 401 from onRequest, a 404, a 413) to a request whose body is still arriving
  // closes the connection too, as Fastify does after a body it could not parse: otherwise Node
  // reads and discards the rest of the body, and a client sending a byte a second held the socket
  // until a 408 75 to 89 s later. The check waits for the parser to finish what has already arrived (an
  // async hook answers before the body in the same packet as the headers is parsed), so a small
  // body sent whole keeps its keep-alive connection; only that rare path leaves the fast one.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    if (closing || request.raw.complete || !announcesBody(request.raw)) {
      done(null, payload);
      return;
    }
    setImmediate(() => {
      if (!request.raw.complete) reply.header('connection', 'close');
      done(null, payload);
    });
  });
  return {
    app,
    checker,
    profiler,
    metrics,
    close: () => {
      closing ??= (async () => {
        checker.markShuttingDown();
        await app.close();
        await checker.close();
        // Writes the profile of a request that finished during the drain.
        await profiler.close();
        // The last buffered observations and profile counts reach Redis before the connection closes.
        await metrics?.close();
        await Promise.allSettled(queues.map((queue) => queue.close()));
      })();
      return closing;
    },
  };
}
