import mysql from 'mysql2/promise';
import { suffix } from './postgres.js';

export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root' } as const;

/** Creates `kw_health_<random>` in MariaDB; fails (does not skip) when it is not there. */
export async function createMysqlDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `kw_health_${suffix()}`;
  const admin = await mysql.createConnection({ ...MYSQL, connectTimeout: 5000 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    async drop() {
      const conn = await mysql.createConnection({ ...MYSQL, connectTimeout: 5000 });
      try {
        await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await conn.end();
      }
    },
  };
}
