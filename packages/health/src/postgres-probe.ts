import { urlPasswords } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import { HealthDependencyMissingError } from './errors.js';
import { parseOptions } from './options.js';
import { createPooledQuery } from './pooled-query.js';
import type { Probe } from './probe.js';
import { redactMessage } from './redact.js';

/** The part of a `pg` `PoolClient` the probe uses. */
export interface PgPoolClientLike {
  query(text: string): Promise<unknown>;
  /** `release(true)` or `release(error)` destroys the connection instead of pooling it. */
  release(destroy?: boolean | Error): void;
}

/** The part of a `pg` `Pool` the probe uses; a real `pg.Pool` fits. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
}

/** `pg` connection settings (a `pg.PoolConfig` fits), or a `postgres://` URL. */
export type PgConnectionOptions =
  | string
  | {
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
      connectionString?: string;
      [key: string]: unknown;
    };

export interface PostgresProbeOptions {
  /**
   * The app's pool. Give it a `connectionTimeoutMillis` (at most the probe's timeout): pg-pool
   * cannot otherwise abandon a connect to a server that accepts TCP and never answers.
   * Exactly one of `pool` and `connection` is required.
   */
  pool?: PgPoolLike;
  /**
   * Settings for a one-connection pool the probe owns (needs `pg` installed); closed by
   * `probe.close()` / `checker.close()`.
   */
  connection?: PgConnectionOptions;
  /**
   * The query to run.
   * @defaultValue 'SELECT 1'
   */
  query?: string;
  /** @defaultValue 'postgres' */
  name?: string;
  /**
   * Connect timeout of the probe's own pool (`connection` only).
   * @defaultValue 2000
   */
  connectTimeoutMs?: number;
  /** @defaultValue the checker's `timeoutMs` */
  timeoutMs?: number;
}

const schema = z
  .object({
    pool: z.optional(
      z.custom<PgPoolLike>((v) => typeof (v as PgPoolLike | undefined)?.connect === 'function', 'must be a pg Pool'),
    ),
    connection: z.optional(z.union([z.string().check(z.minLength(1)), z.record(z.string(), z.unknown())])),
    query: z._default(z.string().check(z.minLength(1)), 'SELECT 1'),
    name: z._default(z.string().check(z.minLength(1)), 'postgres'),
    connectTimeoutMs: z._default(z.int().check(z.positive()), 2000),
    timeoutMs: z.optional(z.int().check(z.positive())),
  })
  .check(
    z.refine((o) => (o.pool === undefined) !== (o.connection === undefined), {
      error: 'give exactly one of pool and connection',
      path: ['pool'],
    }),
  );

/** Checks PostgreSQL by running `query` on a pooled connection. */
export function postgresProbe(options: PostgresProbeOptions): Probe {
  const { query, name, connectTimeoutMs, timeoutMs } = parseOptions('postgres probe options', schema, options);
  const secrets = options.connection === undefined ? [] : passwordsOf(options.connection);
  let ownPool: Promise<PgPoolLike & { end(): Promise<void> }> | undefined;

  const pool = (): Promise<PgPoolLike> => {
    if (options.pool) return Promise.resolve(options.pool);
    ownPool ??= createOwnPool(options.connection!, connectTimeoutMs);
    return ownPool;
  };

  const pooledQuery = createPooledQuery<PgPoolClientLike>({
    acquire: async () => (await pool()).connect(),
    query: (client) => client.query(query),
    release: (client) => client.release(),
    destroy: (client) => client.release(true),
  });

  return {
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    async check(signal) {
      try {
        await pooledQuery(signal);
      } catch (error) {
        throw redacted(error, secrets);
      }
    },
    async close() {
      const own = ownPool;
      ownPool = undefined;
      if (own) await (await own).end();
    },
  };
}

async function createOwnPool(
  connection: PgConnectionOptions,
  connectTimeoutMs: number,
): Promise<PgPoolLike & { end(): Promise<void> }> {
  let Pool: typeof import('pg').Pool;
  try {
    ({ Pool } = await import('pg'));
  } catch (cause) {
    throw new HealthDependencyMissingError('pg', 'postgresProbe({ connection })', { cause });
  }
  const settings = typeof connection === 'string' ? { connectionString: connection } : connection;
  const pool = new Pool({
    ...settings,
    max: 1,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 60_000,
    allowExitOnIdle: true,
  });
  // An idle connection that dies (server restart) is reported by the next check; an unhandled
  // 'error' event would crash the process instead.
  pool.on('error', () => undefined);
  return pool;
}

function passwordsOf(connection: PgConnectionOptions): string[] {
  const found: string[] = [];
  const url = typeof connection === 'string' ? connection : connection.connectionString;
  if (typeof connection === 'object' && typeof connection.password === 'string') found.push(connection.password);
  // None for a libpq key=value string: redactMessage's `password=` rule covers it.
  if (typeof url === 'string') found.push(...urlPasswords(url));
  return found;
}

/** The driver's error with its message scrubbed; the original stays out of reports and logs. */
function redacted(error: unknown, secrets: readonly string[]): Error {
  if (!(error instanceof Error)) return new Error(redactMessage(String(error), secrets));
  if (secrets.length === 0) return error;
  const copy = new Error(redactMessage(error.message, secrets));
  copy.name = error.name;
  return copy;
}
