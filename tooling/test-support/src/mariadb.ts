import { createConnection, type Connection } from 'mysql2/promise';

/** The test MariaDB server (`root`, no password), without a database. */
export const MY_URL = 'mysql://root@127.0.0.1:3306';

/**
 * Runs `fn` with a connection as `root` and closes it afterwards, also when `fn` throws:
 * creating and dropping a test's databases, filling and reading them (name them in the SQL).
 */
export async function myAdmin<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 5000 });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}
