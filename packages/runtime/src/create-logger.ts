import { pino, stdSerializers, type DestinationStream, type Logger, type SerializedError } from 'pino';
import { redactUrlForLog, redactUrlsInText } from './log-url-redaction.js';

/**
 * Paths pino censors wherever they appear in a log line: keepwatch never logs a secret, and this
 * is the second line of defence for the day someone logs an object that holds one.
 */
export const REDACT_PATHS = [
  'password',
  'passphrase',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.passphrase',
  '*.secret',
  '*.token',
  '*.admin_token',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Paths whose value is a URL: logged with every query value and password censored, not dropped. */
export const URL_PATHS = ['url', '*.url'];

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: string;
  /** Process name in every line: `server`, `worker`, `cli`. */
  name: string;
  /** @defaultValue stdout */
  destination?: DestinationStream;
}

/** What a request looks like to the `req` serializer: Fastify's request or a bare `IncomingMessage`. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

const censor = (value: unknown, path: string[]): unknown =>
  path.at(-1) === 'url' && typeof value === 'string' ? redactUrlForLog(value) : '[redacted]';

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: [...REDACT_PATHS, ...URL_PATHS], censor },
      serializers: {
        // Fastify's own `req` serializer logs the URL whole, query string included: a signed
        // download link in the log would download the backup. Fastify takes a logger's own
        // serializers over its defaults, so this one applies to every route, present and future.
        req: (req: LoggedRequest) => ({
          method: req.method,
          url: typeof req.url === 'string' ? redactUrlForLog(req.url) : req.url,
          host: req.host ?? req.headers?.host,
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
          remotePort: req.socket?.remotePort,
        }),
        // An error's message can hold a URL (Fastify's FST_ERR_REP_ALREADY_SENT names request.url).
        err: (error: unknown) => {
          if (typeof error === 'string') return redactUrlsInText(error);
          const serialized = stdSerializers.err(error as Error) as unknown;
          if (serialized === null || typeof serialized !== 'object') return serialized;
          // Not an Error (`{ message }`): the serializer hands back the caller's object; copy it.
          const copy: Partial<SerializedError> =
            serialized === error ? { ...(serialized as SerializedError) } : (serialized as SerializedError);
          if (typeof copy.message === 'string') copy.message = redactUrlsInText(copy.message);
          if (typeof copy.stack === 'string') copy.stack = redactUrlsInText(copy.stack);
          return copy;
        },
      },
      hooks: {
        // Messages are free text: Fastify's "Route GET:<url> not found" puts the URL in one.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg: unknown = args[i];
            if (typeof arg === 'string') (args as unknown[])[i] = redactUrlsInText(arg);
          }
          return method.apply(this, args);
        },
      },
    },
    options.destination,
  );
}
