import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

export function suffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestDatabase {
  name: string;
  /** Runs SQL in the test database (a short-lived connection). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string): Promise<R[]>;
  drop(): Promise<void>;
}

/** Creates `kw_health_<random>`; fails (does not skip) when PostgreSQL is not there. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kw_health_${suffix()}`;
  const admin = new pg.Client({ ...PG, database: 'postgres', connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    async sql(text) {
      const client = new pg.Client({ ...PG, database: name, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ ...PG, database: 'postgres', connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
