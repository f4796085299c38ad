import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ViewRecorder } from '../metrics-store.js';
import { type ViewInstrumentationOptions, resolveViewOptions, viewName } from '../view-options.js';
import { onResponseDone } from './response-timer.js';

/** The parts of Express's request and response this middleware reads (no import of express). */
interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

interface ExpressResponse extends ServerResponse {
  locals?: Record<string, unknown>;
}

type Next = (error?: unknown) => void;

const urlNameKey = 'keepwatchUrlName';

export interface ExpressMetricsOptions extends ViewInstrumentationOptions {
  recorder: ViewRecorder;
}

/**
 * Express middleware: mount it first (`app.use(expressMetrics(...))`). `url_name` is the name
 * given with `urlName('…')` on the route, else the matched route's pattern (mount path + route
 * path), never the raw path.
 */
export function expressMetrics(options: ExpressMetricsOptions) {
  const view = resolveViewOptions(options);
  const { recorder } = options;
  return function keepwatchMetrics(request: ExpressRequest, response: ExpressResponse, next: Next): void {
    response.locals ??= {};
    onResponseDone(response, (statusCode, durationSeconds) => {
      const named = response.locals?.[urlNameKey];
      // A router that answered never unwinds, so baseUrl and route still hold the match here.
      // A RegExp or array route path is still a pattern, never the raw path: keep its source.
      const route = request.route ? `${request.baseUrl ?? ''}${String(request.route.path)}` : undefined;
      const urlName = viewName(view, typeof named === 'string' ? named : route, request.originalUrl ?? request.url);
      if (urlName !== undefined)
        recorder.observeView({ urlName, method: request.method ?? '', statusCode, durationSeconds });
    });
    next();
  };
}

/** Route-level middleware naming the route: `app.get('/orders/:id', urlName('order-detail'), handler)`. */
export function urlName(name: string) {
  return function nameRoute(_request: IncomingMessage, response: ExpressResponse, next: Next): void {
    response.locals ??= {};
    response.locals[urlNameKey] = name;
    next();
  };
}
