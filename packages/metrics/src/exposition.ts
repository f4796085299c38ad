import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '@keepwatch/errors';
import * as z from 'zod/mini';
import { createBasicAuthCheck, wwwAuthenticate } from './basic-auth.js';
import { MetricsOptionsError } from './errors.js';
import { type MetricsLogger, silentLogger } from './logger.js';
import type { MetricFamily, ScrapeCollector } from './metric-family.js';
import type { MetricsStore } from './metrics-store.js';
import { withoutUndefined } from './options.js';
import { type Rendered, renderFamilies, wantsOpenMetrics } from './render.js';
import { pathOf } from './view-options.js';
import { withTimeout } from './with-timeout.js';
import { english } from './zod.js';
import { zodProblems } from './zod-problems.js';

export const metricsPath = '/metrics';

export interface ExpositionOptions {
  store: Pick<MetricsStore, 'flush' | 'read' | 'options'>;
  /**
   * Serve `/metrics` at all (`[metrics] enabled`); when false the path is a plain 404.
   * @defaultValue `true`
   */
  enabled?: boolean;
  /**
   * Basic-auth user (`[metrics] user`); set together with `passphrase`, or neither.
   * @defaultValue `undefined` (no authentication)
   */
  user?: string;
  /**
   * Basic-auth passphrase (`[metrics] passphrase`). Never logged.
   * @defaultValue `undefined`
   */
  passphrase?: string;
  /**
   * Scrape-time collectors (e.g. `queueCollector(queues)`); each runs on every scrape.
   * @defaultValue `[]`
   */
  collectors?: ScrapeCollector[];
  /**
   * A pino logger for failed scrapes and collectors.
   * @defaultValue silent
   */
  logger?: MetricsLogger;
}

export interface ScrapeResult {
  status: 200 | 401 | 404 | 503;
  headers: Record<string, string>;
  body: string;
}

/** The framework-free `/metrics` endpoint: auth, flush, read, collect, render. */
export interface MetricsExposition {
  readonly enabled: boolean;
  /** Answers one scrape from its `Authorization` and `Accept` headers; never rejects. */
  scrape(headers: { authorization?: string | undefined; accept?: string | undefined }): Promise<ScrapeResult>;
  /** Renders the fleet's metrics without auth (for tests, CLIs, other transports). */
  render(openMetrics?: boolean): Promise<Rendered>;
  /**
   * For plain `node:http`: answers `GET|HEAD /metrics` (exactly that path) and resolves true;
   * resolves false for any other request, or when disabled, so the app answers it.
   */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

const schema = z
  .object({
    store: z.custom<ExpositionOptions['store']>(
      (value) => typeof value === 'object' && value !== null && typeof (value as MetricsStore).read === 'function',
      'must be a metrics store',
    ),
    enabled: z.boolean(),
    user: z.optional(
      z.string().check(z.minLength(1), z.regex(/^[^:]*$/, 'must not contain ":" (basic auth splits on it)')),
    ),
    passphrase: z.optional(z.string().check(z.minLength(1))),
    collectors: z.array(z.custom<ScrapeCollector>((value) => typeof value === 'function', 'must be a function')),
    logger: z.custom<MetricsLogger>((value) => typeof value === 'object' && value !== null, 'must be a pino logger'),
  })
  .check(
    z.refine((o) => (o.user === undefined) === (o.passphrase === undefined), {
      path: ['passphrase'],
      error: 'user and passphrase must be set together (or neither)',
    }),
  );

/** The exposition's options once validated, with their defaults. */
export interface ResolvedExpositionOptions {
  store: ExpositionOptions['store'];
  enabled: boolean;
  user?: string | undefined;
  passphrase?: string | undefined;
  collectors: ScrapeCollector[];
  logger: MetricsLogger;
}

export function resolveExpositionOptions(options: ExpositionOptions): ResolvedExpositionOptions {
  const result = schema.safeParse(
    { enabled: true, collectors: [], logger: silentLogger, ...withoutUndefined(options) },
    english,
  );
  // zod echoes only paths and rule messages, never the passphrase's value.
  if (!result.success) throw new MetricsOptionsError('metrics exposition options', zodProblems(result.error));
  return result.data;
}

export function createMetricsExposition(options: ExpositionOptions): MetricsExposition {
  const { store, enabled, user, passphrase, collectors, logger } = resolveExpositionOptions(options);
  const authorized =
    user !== undefined && passphrase !== undefined ? createBasicAuthCheck(user, passphrase) : () => true;

  const collect = async (): Promise<MetricFamily[]> => {
    // Flush first so this process's latest requests are in what it reports; a failed flush
    // leaves them buffered and the scrape goes on with what Redis has.
    await store.flush();
    const [fleet, ...extra] = await Promise.all([
      store.read(),
      ...collectors.map((collector) =>
        // Bounded like the Redis read: a queue on a silent Redis must not hang the scrape.
        withTimeout(collector(store.options.namespace), store.options.timeoutMs).catch((error: unknown) => {
          logger.warn({ err: errorMessage(error) }, 'metrics: a scrape collector failed; its families are left out');
          return [];
        }),
      ),
    ]);
    return [...fleet, ...extra.flat()];
  };

  // One deadline for flush, read and collectors together, so a scraper with a timeout of its own
  // gets a 503 from us rather than giving up on the connection.
  const render = async (openMetrics = false): Promise<Rendered> =>
    renderFamilies(await withTimeout(collect(), store.options.timeoutMs), openMetrics);

  const scrape: MetricsExposition['scrape'] = async ({ authorization, accept }): Promise<ScrapeResult> => {
    if (!enabled) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found\n' };
    if (!authorized(authorization)) {
      return {
        status: 401,
        headers: { 'www-authenticate': wwwAuthenticate, 'content-type': 'text/plain; charset=utf-8' },
        body: 'Unauthorized\n',
      };
    }
    try {
      const { contentType, body } = await render(wantsOpenMetrics(accept));
      return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
    } catch (error) {
      logger.error({ err: errorMessage(error) }, 'metrics: scrape failed');
      return {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'metrics store unavailable\n',
      };
    }
  };

  const handle: MetricsExposition['handle'] = async (request, response) => {
    if (!enabled || pathOf(request.url) !== metricsPath) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const result = await scrape({ authorization: request.headers.authorization, accept: request.headers.accept });
    response.writeHead(result.status, result.headers);
    response.end(request.method === 'HEAD' ? undefined : result.body);
    return true;
  };

  return { enabled, scrape, render, handle };
}
