import { pino, type DestinationStream, type Logger } from 'pino';

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

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: string;
  /** Process name in every line: `server`, `worker`, `cli`. */
  name: string;
  /** @defaultValue stdout */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}
