import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ViewRecorder } from '../metrics-store.js';
import { type ViewInstrumentationOptions, resolveViewOptions, viewName } from '../view-options.js';
import { onResponseDone } from './response-timer.js';

export interface NodeHttpMetricsOptions extends ViewInstrumentationOptions {
  recorder: ViewRecorder;
  /**
   * The route name or pattern of a request, or undefined when the app has no route for it.
   * Plain `node:http` has no router, so the app, which does the routing, says which it chose.
   */
  route: (request: IncomingMessage) => string | undefined;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Wraps a `node:http` request listener so every response it gives is recorded. */
export function instrumentRequestListener(listener: Listener, options: NodeHttpMetricsOptions): Listener {
  const view = resolveViewOptions(options);
  const { recorder, route } = options;
  return (request, response) => {
    onResponseDone(response, (statusCode, durationSeconds) => {
      let routeName: string | undefined;
      try {
        routeName = route(request);
      } catch {
        routeName = undefined;
      }
      const urlName = viewName(view, routeName, request.url);
      if (urlName !== undefined)
        recorder.observeView({ urlName, method: request.method ?? '', statusCode, durationSeconds });
    });
    return listener(request, response);
  };
}
