import * as z from 'zod/mini';
import { parseOptions } from './options.js';
import { createPooledQuery } from './pooled-query.js';
import type { Probe } from './probe.js';

/** The part of a `mysql2/promise` `PoolConnection` the probe uses. */
export interface MysqlPoolConnectionLike {
  query(sql: string): Promise<unknown>;
  release(): void;
  /** Closes the socket and removes the connection from its pool. */
  destroy(): void;
}

/** The part of a `mysql2/promise` `Pool` the probe uses; `mysql.createPool(…)` fits. */
export interface MysqlPoolLike {
  getConnection(): Promise<MysqlPoolConnectionLike>;
}

export interface MysqlProbeOptions {
  /**
   * The app's `mysql2/promise` pool. Its `connectTimeout` (mysql2 default 10 s) is what ends a
   * connect to a server that never answers; keep it near the probe's timeout.
   */
  pool: MysqlPoolLike;
  /**
   * The query to run.
   * @defaultValue 'SELECT 1'
   */
  query?: string;
  /** @defaultValue 'mysql' */
  name?: string;
  /** @defaultValue the checker's `timeoutMs` */
  timeoutMs?: number;
}

const schema = z.object({
  pool: z.custom<MysqlPoolLike>(
    (v) => typeof (v as MysqlPoolLike | undefined)?.getConnection === 'function',
    'must be a mysql2/promise Pool',
  ),
  query: z._default(z.string().check(z.minLength(1)), 'SELECT 1'),
  name: z._default(z.string().check(z.minLength(1)), 'mysql'),
  timeoutMs: z.optional(z.int().check(z.positive())),
});

/** Checks MySQL / MariaDB by running `query` on a pooled connection. */
export function mysqlProbe(options: MysqlProbeOptions): Probe {
  const { query, name, timeoutMs } = parseOptions('mysql probe options', schema, options);
  const pool = options.pool;
  const pooledQuery = createPooledQuery<MysqlPoolConnectionLike>({
    acquire: () => pool.getConnection(),
    query: (connection) => connection.query(query),
    release: (connection) => connection.release(),
    destroy: (connection) => connection.destroy(),
  });
  return {
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    check: pooledQuery,
  };
}
