import pg from 'pg';

/** The test PostgreSQL server (trust auth, superuser `postgres`), without a database. */
export const PG_URL = 'postgres://postgres@127.0.0.1:5432';

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
