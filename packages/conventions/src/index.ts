export { DATABASE_KINDS, DATABASE_URL_SCHEMES, databaseKindOf, type DatabaseKind } from './database-kind.js';
export {
  parseDatabaseUrl,
  withDatabase,
  POSTGRES_SSL_MODES,
  type DatabaseUrl,
  type PostgresSslMode,
} from './database-url.js';
export { readConnectionUrl, quoteParameterName, type UrlReading } from './url-reading.js';
export { redactUrl, urlPasswords, REDACTED } from './redact-url.js';
export {
  REMOTE_PATTERN,
  REMOTE_HOST_PATTERN,
  REMOTE_PATH_PATTERN,
  REMOTE_USER_PATTERN,
  S3_BUCKET_PATTERN,
  S3_PREFIX_SEGMENT_PATTERN,
  parseRemote,
  parseS3Remote,
} from './backup-remote.js';
export { AGE_RECIPIENT_PATTERN } from './age-recipient.js';
export { relativeInside } from './path-inside.js';
