import { type Connection, createConnection } from 'mysql2/promise';
import { suffix } from './names.js';

/** How to reach the test MariaDB server: `root`, no password. */
export const MY = { host: '127.0.0.1', port: 3306, user: 'root' } as const;

/** The test MariaDB server, without a database. */
export const MY_URL = `mysql://${MY.user}@${MY.host}:${MY.port}`;

/**
 * Runs `fn` with a connection as `root` and closes it afterwards, also when `fn` throws:
 * creating and dropping a test's databases, filling and reading them (name them in the SQL).
 */
export async function myAdmin<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await createConnection({ ...MY, connectTimeout: 5000 });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** A database of one test file's own on the test server. */
export interface TestMyDatabase {
  /** `<prefix>_<8 hex digits>`. */
  readonly name: string;
  /** `mysql://root@127.0.0.1:3306/<name>`: what sources, probes and pools take. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` (utf8mb4); fails (never skips) when MariaDB is not there. */
export async function createMysqlDatabase(prefix: string): Promise<TestMyDatabase> {
  const name = `${prefix}_${suffix()}`;
  await myAdmin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    name,
    url: `${MY_URL}/${name}`,
    drop: async () => {
      await myAdmin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
    },
  };
}
