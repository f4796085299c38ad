import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
// Node's global `performance` is a lazy getter on globalThis: every read on the request path
// calls it (about 45 ns here, measured with perf). The module's export is a plain binding.
import { performance } from 'node:perf_hooks';
import { type MetricsExposition, metricsPath } from '../exposition.js';
import type { ViewRecorder } from '../metrics-store.js';
import { type ViewInstrumentationOptions, resolveViewOptions, viewName } from '../view-options.js';
import { RouteSeries } from './route-series.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's `url_name` in keepwatch metrics; defaults to the route's pattern. */
    urlName?: string;
  }
}

export interface FastifyMetricsOptions extends ViewInstrumentationOptions {
  /** Where observations go (a `MetricsStore`). */
  recorder: ViewRecorder;
  /**
   * When given (and enabled), registers `GET /metrics` served by it.
   * @defaultValue `undefined` (no route)
   */
  exposition?: MetricsExposition;
}

/**
 * The route's name as the metrics record it: `config.urlName`, else the route's pattern;
 * `undefined` when no route matched. Other per-request tools (the profiler) call this so their
 * names agree with the metrics.
 */
export function fastifyRouteName(request: FastifyRequest): string | undefined {
  // routeOptions is a getter that builds an object: read it once. No url means no route matched.
  const { config, url } = request.routeOptions;
  return url === undefined ? undefined : (config.urlName ?? url);
}

/** Where the arrival time (`performance.now()`) of each request is kept, on the raw request. */
const arrivedAt = Symbol('keepwatch.metrics.arrivedAt');
type StampedMessage = FastifyRequest['raw'] & { [arrivedAt]?: number };
type HttpServer = FastifyInstance['server'];
type RequestListener = (this: unknown, ...args: unknown[]) => unknown;

/** The servers already stamping arrivals: a second registration (another recorder) shares it. */
const stampingServers = new WeakSet<object>();

/**
 * Stamps every request's arrival on the server's `request` event, before Fastify sees it:
 * cheaper than any Fastify hook, whose runner costs each request more than the stamp itself.
 * The stamp goes inside the server's first listener (Fastify's own) rather than in a listener
 * of its own: with one listener, Node's `emit` calls it directly, with two it copies the
 * listener array on every request. Listeners added by others keep their order.
 * `fastify.inject()` emits no such event: its requests are recorded with a duration of 0 unless
 * Fastify keeps a clock of its own (with a logger).
 */
function stampArrivals(server: HttpServer): void {
  if (stampingServers.has(server)) return;
  stampingServers.add(server);
  const listeners = server.rawListeners('request') as RequestListener[];
  const [first, ...others] = listeners;
  if (first === undefined) {
    server.on('request', (message: StampedMessage) => {
      message[arrivedAt] = performance.now();
    });
    return;
  }
  server.removeAllListeners('request');
  server.on('request', function stampThenHandle(this: unknown, message: StampedMessage, response: unknown) {
    message[arrivedAt] = performance.now();
    return first.call(this, message, response);
  });
  for (const listener of others) server.on('request', listener);
}

/**
 * Seconds since the request arrived. A request with no stamp came through a server the plugin
 * has not seen: `fastify.inject()`, or one more server Fastify made to listen on a second
 * address (`localhost` on IPv4 and IPv6). That server stamps from its next request on.
 */
function elapsedSeconds(request: FastifyRequest, reply: FastifyReply): number {
  const raw = request.raw as StampedMessage;
  const arrival = raw[arrivedAt];
  if (arrival !== undefined) return (performance.now() - arrival) / 1000;
  const server = (raw.socket as { server?: unknown } | null)?.server;
  if (isHttpServer(server)) stampArrivals(server);
  return reply.elapsedTime / 1000;
}

function isHttpServer(value: unknown): value is HttpServer {
  return typeof value === 'object' && value !== null && typeof (value as HttpServer).rawListeners === 'function';
}

/** The route's name as the metrics record it, from its options at registration; see {@link fastifyRouteName}. */
function registeredRouteName(route: RouteOptions): string {
  return route.config?.urlName ?? route.url;
}

/**
 * Records every response of the routes registered after it, on the instance it is registered on
 * and its children (it is wrapped in fastify-plugin so its hooks are not encapsulated).
 * `url_name` is the route's `config.urlName`, else its pattern (`/orders/:id`), never the raw
 * path; requests that matched no route share `unmatchedName`.
 *
 * The cost per request is kept small: Fastify pays for each kind of hook a request passes
 * through (a runner per phase), so the plugin uses one phase only, `onSend`, and no
 * `onResponse` (any one makes Fastify put listeners on every response). The name is worked out
 * once per route, not per request, and each route keeps its series (see {@link RouteSeries}).
 * - The arrival time is stamped on the server's `request` event (see {@link stampArrivals}).
 * - `onRoute` gives each route registered afterwards its own `onSend` hook that knows its name
 *   (routes whose name is in `excludePaths` get none). Fastify's automatic `HEAD` route of a
 *   `GET` route gets its own and is recorded as `HEAD`.
 * - One global `onSend` hook records the requests that matched no route (their own not-found
 *   context, which only global hooks reach); for the others it only passes the payload on,
 *   within the runner their route's hook needs anyway.
 *
 * The duration runs from the request's arrival to `onSend`: the reply is serialised but not yet
 * written, as pretix's django-prometheus measures the view, not the socket write. Not recorded:
 * routes registered before the plugin (register it first, and `await` it), replies taken over
 * with `reply.hijack()` or written to `reply.raw` directly. Errors are recorded with the status
 * the error handler sends (`onSend` runs after it).
 */
const plugin: FastifyPluginAsync<FastifyMetricsOptions> = async (fastify, options) => {
  const view = resolveViewOptions(options);
  const { recorder, exposition } = options;
  stampArrivals(fastify.server);

  // Callback hooks, not async ones: Fastify runs them without allocating a promise per request.
  // Requests no route matched share one name: one set of series, as a route has.
  const unmatched = new RouteSeries(recorder, view.unmatchedName);
  fastify.addHook('onSend', function recordUnmatched(request, reply, payload, done) {
    if (request.is404 && viewName(view, undefined, request.url) !== undefined) {
      unmatched.observe(request.raw.method ?? '', reply.raw.statusCode, elapsedSeconds(request, reply));
    }
    done(null, payload);
  });

  fastify.addHook('onRoute', (route) => {
    const urlName = viewName(view, registeredRouteName(route), undefined);
    if (urlName === undefined) return;
    const existing = route.onSend;
    const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    const series = new RouteSeries(recorder, urlName);
    const record: onSendHookHandler = function recordView(request, reply, payload, done) {
      // The raw request's method and the raw response's status: Fastify's getters for them are
      // one more call each, on every request.
      series.observe(request.raw.method ?? '', reply.raw.statusCode, elapsedSeconds(request, reply));
      done(null, payload);
    };
    // A new array: the route's own array may be shared with other routes (its HEAD route, which
    // Fastify builds from the options as given, before any onRoute hook, so it gets its own).
    route.onSend = [...hooks, record];
  });

  if (exposition?.enabled) {
    fastify.get(metricsPath, async (request, reply) => {
      const result = await exposition.scrape({
        authorization: request.headers.authorization,
        accept: request.headers.accept,
      });
      return reply.code(result.status).headers(result.headers).send(result.body);
    });
  }
};

export const fastifyMetrics = fp(plugin, { fastify: '5.x', name: '@keepwatch/metrics' });
