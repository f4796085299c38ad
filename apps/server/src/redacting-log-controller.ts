import { redactUrlForLog } from '@keepwatch/runtime';
import { LogController, type FastifyRequest } from 'fastify';

/**
 * Fastify's request log lines, with "route not found" naming the URL as the logger's `req`
 * serializer does: path and parameter names, no query value. Fastify writes that URL into the
 * message, where no serializer sees it, and a mistyped signed link must not leak its signature.
 */
export class RedactingLogController extends LogController {
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.raw.method}:${redactUrlForLog(request.raw.url ?? '')} not found`);
  }
}
