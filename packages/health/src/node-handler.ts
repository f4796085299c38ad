import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthChecker } from './health-checker.js';
import { liveResponse, readinessResponse, type HealthResponse } from './health-response.js';
import { resolveHealthHttpOptions, type HealthHttpOptions } from './http-options.js';

/**
 * A `node:http` request handler for services without Fastify: returns `true` when it answers
 * the request (`GET`/`HEAD` on the readiness or liveness path), `false` to let the app go on.
 *
 * ```ts
 * const health = createHealthHandler(checker);
 * http.createServer((req, res) => { if (!health(req, res)) app(req, res); });
 * ```
 */
export function createHealthHandler(
  checker: HealthChecker,
  options: HealthHttpOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const http = resolveHealthHttpOptions(options);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path === http.livePath) {
      write(req, res, liveResponse);
      return true;
    }
    if (path !== http.path) return false;
    readinessResponse(checker, http, req.headers.authorization).then(
      (response) => write(req, res, response),
      // readinessResponse does not reject; this keeps the promise from ever going unhandled.
      () => write(req, res, { status: 503, headers: liveResponse.headers, body: '' }),
    );
    return true;
  };
}

function write(req: IncomingMessage, res: ServerResponse, response: HealthResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
