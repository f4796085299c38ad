import pg from 'pg';
import { suffix } from './names.js';

/** How to reach the test PostgreSQL server: trust auth, superuser `postgres`. */
export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

/** The test PostgreSQL server, without a database. */
export const PG_URL = `postgres://${PG.user}@${PG.host}:${PG.port}`;

/**
 * Runs `fn` with a client connected as the superuser to `database` and closes it afterwards,
 * also when `fn` throws: creating and dropping a test's databases, filling and reading them.
 */
export async function pgAdmin<T>(fn: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_URL}/${database}`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database of one test file's own on the test server. */
export interface TestPgDatabase {
  /** `<prefix>_<8 hex digits>`. */
  readonly name: string;
  /** `postgres://postgres@127.0.0.1:5432/<name>`: what sources, probes and pools take. */
  readonly url: string;
  /** Runs one statement in it as the superuser (a short-lived connection); the rows. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drops it, closing whatever is still connected. */
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>`; fails (never skips) when PostgreSQL is not there. */
export async function createPgDatabase(prefix: string): Promise<TestPgDatabase> {
  const name = `${prefix}_${suffix()}`;
  await pgAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: `${PG_URL}/${name}`,
    sql: (text, values) => pgAdmin(async (c) => (await c.query(text, values)).rows, name),
    drop: async () => {
      await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
