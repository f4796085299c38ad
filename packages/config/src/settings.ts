import {
  boolean,
  bytes,
  cronExpression,
  timeZone,
  duration,
  fraction,
  integer,
  increasingNumbers,
  listenAddress,
  oneOf,
  refine,
  text,
  wordList,
  type ValueParser,
} from './value-parsers.js';
import { databaseUrl, redisUrl } from './connection-urls.js';
import { notificationUrl } from './notify-urls.js';
import { redisEndpoints } from './redis-endpoints.js';
import { AGE_RECIPIENT_PATTERN } from '@keepwatch/conventions';
import { backupRemote, s3Endpoint } from './remote-values.js';

/** One setting: how to parse it, its default (as the file would spell it) and its documentation. */
export interface Setting<T, HasDefault extends boolean = boolean> {
  parser: ValueParser<T>;
  /** The default in config-file spelling; `undefined` for an optional setting with no default. */
  default: HasDefault extends true ? string : undefined;
  /** Redacted in every printout and log. */
  secret: boolean;
  doc: string;
}

function required<T>(parser: ValueParser<T>, def: string, doc: string, secret = false): Setting<T, true> {
  return { parser, default: def, doc, secret };
}
function optional<T>(parser: ValueParser<T>, doc: string, secret = false): Setting<T, false> {
  return { parser, default: undefined, doc, secret };
}

/** Comma-separated age recipients. Public keys, not secrets. */
function ageRecipients(): ValueParser<string[]> {
  return refine(
    wordList(),
    (list) => list.every((r) => AGE_RECIPIENT_PATTERN.test(r)),
    'expected age recipients (age1… or ssh-ed25519 … public keys) separated by commas',
  );
}

export const DEFAULT_BUCKETS = '0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30';

/**
 * Every setting keepwatch knows, by section. This table is the contract: the loader, the
 * environment mapping (`KEEPWATCH_<SECTION>_<KEY>`), redaction and the README's reference all
 * come from it.
 */
export const settings = {
  server: {
    listen: required(listenAddress(), '127.0.0.1:8080', 'Address and port the HTTP server listens on.'),
    admin_token: optional(
      // Sent as `Authorization: Bearer <token>`: a space or a non-ASCII character could never match.
      text({
        minLength: 16,
        secret: true,
        pattern: /^[\x21-\x7e]+$/,
        patternText: 'ASCII letters, digits and punctuation, no spaces',
      }),
      'Bearer token for the admin API and the detailed health report (at least 16 characters: ASCII letters, digits and punctuation, no spaces). Unset: the admin API is off.',
      true,
    ),
    shutdown_timeout: required(
      duration(0, 600_000),
      '10s',
      'How long a graceful shutdown waits for in-flight requests before closing connections.',
    ),
    trust_proxy: required(boolean(), 'false', 'Trust X-Forwarded-* headers from a reverse proxy.'),
  },
  worker: {
    shutdown_timeout: required(
      duration(0, 86_400_000),
      '5m',
      'How long a stopping worker waits for its running jobs (a backup in progress) before it exits anyway.',
    ),
  },
  log: {
    level: required(
      oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
      'info',
      'Least severe log level written (JSON lines on stdout).',
    ),
  },
  data: {
    dir: required(text(), './data', 'Data directory: .secret, media/, profiles/. Created 0700 when missing.'),
    secret: optional(
      text({ minLength: 32, secret: true }),
      'Instance secret (at least 32 characters). Unset: generated once into <dir>/.secret and reused.',
      true,
    ),
  },
  database: {
    url: optional(
      databaseUrl(),
      'The application database: postgres://user:pass@host:5432/name (one parameter: ?sslmode=) or mysql://user:pass@host:3306/name; a %, @, / or # in the password %-encoded (%25, %40, %2F, %23). Unset: no database check or backup.',
      true,
    ),
  },
  redis: {
    url: optional(
      redisUrl(),
      'Redis for jobs, metrics and the cache: redis://[:pass@]host:6379[/db] (parameters: db, family, username, password). Required by the worker and by metrics. With sentinels or cluster_nodes it only supplies the user, password, database (Sentinel only) and TLS (rediss://), and may be left out.',
      true,
    ),
    sentinels: optional(
      redisEndpoints('the Sentinels', '10.0.0.1:26379, 10.0.0.2:26379, 10.0.0.3:26379'),
      'Redis Sentinels (host:port, …) that name the master keepwatch writes to and follow it through a failover; set with sentinel_master. Exactly one of url alone, sentinels and cluster_nodes says where Redis is.',
    ),
    sentinel_master: optional(
      text({ pattern: /^[A-Za-z0-9._-]{1,100}$/, patternText: 'a master name of letters, digits, ".", "_" and "-"' }),
      'The master name the Sentinels monitor (their sentinel monitor NAME …); required with sentinels.',
    ),
    sentinel_password: optional(
      text({ secret: true }),
      "Password of the Sentinels themselves (their requirepass), when they have one; the master's password goes in url.",
      true,
    ),
    cluster_nodes: optional(
      redisEndpoints('Redis Cluster nodes', '10.0.0.1:6379, 10.0.0.2:6379, 10.0.0.3:6379'),
      'Redis Cluster nodes (host:port, …) the cluster is discovered from; a few of the masters are enough. Keys are placed with hash tags, so each family of keys stays on one node.',
    ),
    prefix: required(
      text({ pattern: /^[A-Za-z0-9_:.-]+$/, patternText: 'letters, digits and _ : . - only' }),
      'keepwatch:',
      'Prefix of every Redis key keepwatch writes, so several instances or tests can share one Redis.',
    ),
  },
  cache: {
    backend: optional(
      oneOf(['memory', 'redis'] as const),
      'Cache the health check tests: memory or redis. Default: redis when [redis] url is set, else memory.',
    ),
  },
  health: {
    timeout: required(duration(50, 60_000), '2s', 'Time each health probe may take.'),
    deadline: required(
      duration(50, 60_000),
      '2.5s',
      'Time the whole health check may take; at least the probe timeout.',
    ),
  },
  metrics: {
    enabled: required(boolean(), 'false', 'Serve GET /metrics. Off: /metrics is 404.'),
    user: optional(
      text({
        pattern: /^[^:]+$/,
        patternText: 'a user name without ":" (basic auth splits user and passphrase at the first ":")',
      }),
      'Basic-auth user for /metrics (no ":"); set together with passphrase.',
    ),
    passphrase: optional(text({ minLength: 8, secret: true }), 'Basic-auth passphrase for /metrics.', true),
    namespace: required(
      text({
        pattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/,
        patternText: 'a Prometheus name: letters, digits and _, not starting with a digit',
      }),
      'pretix',
      'Prefix of the metric names, e.g. pretix_view_requests_total.',
    ),
    flush_interval: required(
      duration(0, 60_000),
      '1s',
      'How often each process sends its buffered metric deltas to Redis; 0 writes every observation at once.',
    ),
    buckets: required(increasingNumbers(), DEFAULT_BUCKETS, 'Histogram buckets in seconds (+Inf is implied).'),
    models_refresh: required(
      duration(0, 86_400_000),
      '5m',
      'How often a worker recounts the database tables for pretix_model_instances; 0 turns it off.',
    ),
    models_exact_below: required(
      integer(0, 2_000_000_000),
      '100000',
      'Tables the planner estimates below this many rows are counted exactly; larger ones use the estimate.',
    ),
    models_include: optional(
      wordList(),
      'Tables counted (glob patterns such as shop_*). Default: all of the current schema.',
    ),
    models_exclude: optional(wordList(), 'Tables never counted (glob patterns).'),
  },
  profile: {
    rate: required(
      fraction(),
      '0',
      'Fraction of requests run under the V8 CPU profiler: 0 (off) to 1; 0.1 means 10 %.',
    ),
    worker_rate: optional(fraction(), 'Fraction of worker jobs profiled. Default: the same as rate.'),
    // Below 50 µs the profiler itself dominates the process; @keepwatch/profiler refuses it.
    interval: required(
      duration(0.05, 1000, { fractionalMs: true }),
      '1ms',
      'CPU profiler sampling interval, 50us to 1s (e.g. 500us, 1ms).',
    ),
    max_overhead: required(
      fraction(),
      '0.01',
      'Largest share of time spent starting and stopping captures (each V8 start blocks tens of ms); above 0, 1 lifts the limit.',
    ),
    max_duration: required(duration(100, 600_000), '30s', 'Longest capture; a request that never ends is cut off.'),
    max_files: required(
      integer(1, 1_000_000),
      '100',
      'Most profiles kept in <data dir>/profiles; the oldest go first.',
    ),
    max_bytes: required(bytes(1024, 1024 ** 4), '100MB', 'Most disk space profiles may use; the oldest go first.'),
  },
  backup: {
    destination: required(
      text(),
      './backups',
      'Directory backups are written to: database dumps in database/<day>/, data snapshots in data/<id>/. Must not be inside [data] dir.',
    ),
    compression: required(oneOf(['zstd', 'gzip', 'none'] as const), 'zstd', 'Compression of database dumps.'),
    zstd_level: required(integer(1, 19), '3', 'zstd level from 1 (fastest) to 19 (smallest); 3 keeps up with pg_dump.'),
    encrypt_to: optional(
      ageRecipients(),
      'age recipients (age1… or ssh-ed25519 public keys) separated by commas; backups are encrypted to them. Unset: not encrypted.',
    ),
    lock_wait: required(
      duration(0, 86_400_000),
      '60s',
      'How long a backup waits for another backup of the same source (another worker, keepwatch backup run) to finish.',
    ),
    connect_timeout: required(
      duration(100, 600_000),
      '10s',
      'How long the dump and restore tools wait to connect to the database server.',
    ),
    schedule: optional(
      cronExpression(),
      'When the worker backs up every source, as cron (e.g. 0 3 * * * for 03:00 daily). Unset: no scheduled backups.',
    ),
    timezone: required(
      timeZone(),
      'UTC',
      'Time zone the schedule and the keep_daily/weekly/monthly calendar are read in, e.g. Europe/Berlin.',
    ),
    data_include: required(
      // picomatch patterns; the snapshot options take at most 1000 characters each.
      wordList({ maxLength: 1000 }),
      '.secret, media/**',
      'What of [data] dir the data snapshots hold: globs read like .gitignore (no "/": any depth; with "/": from the top).',
    ),
    data_exclude: required(
      wordList({ maxLength: 1000 }),
      'profiles/**, cache/**, *.tmp',
      'What data snapshots leave out, as data_include; excluded folders are not read at all.',
    ),
    keep_last: required(
      integer(0, 100_000),
      '0',
      'Retention: keep this many newest backups of each source. All keep_* 0: keep everything.',
    ),
    keep_daily: required(
      integer(0, 100_000),
      '0',
      'Retention: keep the newest backup of each of this many most recent days that have one.',
    ),
    keep_weekly: required(
      integer(0, 100_000),
      '0',
      'Retention: keep the newest backup of each of this many most recent ISO weeks that have one.',
    ),
    keep_monthly: required(
      integer(0, 100_000),
      '0',
      'Retention: keep the newest backup of each of this many most recent months that have one.',
    ),
    remote: optional(
      backupRemote(),
      'Copy every backup off the machine: user@host:/path with rsync over SSH (key only), e.g. backup@nas.example:/srv/keepwatch, or s3://BUCKET/PREFIX to an S3-compatible bucket (AWS, Backblaze B2, Wasabi, MinIO…). Unset: no remote copy.',
    ),
    remote_port: required(integer(1, 65_535), '22', 'SSH port of an SSH [backup] remote.'),
    remote_identity_file: optional(text(), 'Private key (no passphrase) for an SSH [backup] remote; required with it.'),
    remote_known_hosts_file: optional(
      text(),
      'known_hosts file holding the host key of [backup] remote; required unless remote_strict_host_key_checking is accept-new or no.',
    ),
    remote_strict_host_key_checking: required(
      oneOf(['yes', 'accept-new', 'no'] as const),
      'yes',
      'yes: only the key in remote_known_hosts_file; accept-new: trust and record the first key; no: any key (open to a man in the middle).',
    ),
    remote_endpoint: optional(
      s3Endpoint(),
      'URL of the S3 API for an s3:// [backup] remote, e.g. https://s3.eu-central-003.backblazeb2.com (no credentials in it). Unset: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL.',
    ),
    remote_region: optional(
      text({ pattern: /^[A-Za-z0-9-]{1,64}$/, patternText: 'a region name such as us-east-1 or eu-central-003' }),
      'Signing region of an s3:// [backup] remote; most other providers take any. Unset: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1.',
    ),
    remote_access_key_id: optional(
      text({
        pattern: /^[\x21-\x7e]{1,128}$/,
        patternText: 'an access key id of ASCII letters, digits and punctuation',
      }),
      'Access key id of an s3:// [backup] remote; required with it. Unset: AWS_ACCESS_KEY_ID.',
    ),
    remote_secret_access_key: optional(
      text({ secret: true, pattern: /^[\x21-\x7e]{1,256}$/, patternText: 'ASCII letters, digits and punctuation' }),
      'Secret access key of an s3:// [backup] remote; required with it. Unset: AWS_SECRET_ACCESS_KEY.',
      true,
    ),
    remote_force_path_style: required(
      boolean(),
      'false',
      'Address an s3:// [backup] remote as https://host/BUCKET/key rather than https://BUCKET.host/key: MinIO, Garage and servers on an IP address need it.',
    ),
  },
  notify: {
    webhook_url: optional(
      notificationUrl(),
      'POSTed a JSON body (event, source, id, error without secrets, times, sizes) on every failed backup attempt, and on success with on_success. User info becomes basic auth. Unset: no webhook.',
      true,
    ),
    ping_url: optional(
      notificationUrl({ placeholder: true }),
      "Dead-man's switch in the healthchecks.io convention: <url>/start when a backup starts, <url> on success, <url>/fail on failure; {source} is replaced by the source name. An Uptime Kuma push URL (…/api/push/<token>) gets ?status=up or down. Unset: no pings.",
      true,
    ),
    on_success: required(boolean(), 'false', 'Also POST webhook_url when a backup succeeds.'),
    timeout: required(
      duration(100, 120_000),
      '5s',
      'Bound of each delivery attempt (3 attempts, 1 s and 2 s apart), and the longest a stopping worker or keepwatch backup run waits for notifications still on their way.',
    ),
  },
} as const;

export type Settings = typeof settings;
export type SectionName = keyof Settings;

/** The typed configuration: one object, keys spelled as in the file. */
export type KeepwatchConfig = {
  -readonly [S in SectionName]: {
    -readonly [K in keyof Settings[S]]: Settings[S][K] extends Setting<infer T, infer D>
      ? D extends true
        ? T
        : T | undefined
      : never;
  };
};

export function envName(section: string, key: string): string {
  return `KEEPWATCH_${section.toUpperCase()}_${key.toUpperCase()}`;
}
