import mysql from 'mysql2/promise';
import { suffix } from './postgres.js';

export const MYSQL_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export async function mysqlQuery<T = mysql.RowDataPacket[]>(sql: string, database?: string, params: unknown[] = []): Promise<T> {
  const connection = await mysql.createConnection({ ...MYSQL_ADMIN, database, charset: 'utf8mb4', multipleStatements: true, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query(sql, params);
    return rows as T;
  } finally {
    await connection.end();
  }
}

export async function createMysqlDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${suffix()}`;
  await mysqlQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    name,
    url: `mysql://root@127.0.0.1:3306/${name}`,
    drop: async () => {
      await mysqlQuery(`DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

/** Rows (CHECKSUM TABLE plus counts), views, routines, triggers, events, auto-increment positions. */
export async function mysqlFingerprint(database: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await mysqlQuery<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS t, TABLE_TYPE AS k, AUTO_INCREMENT AS ai FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`,
    undefined,
    [database],
  );
  for (const { t, k, ai } of tables) {
    const q = `\`${String(t).replace(/`/g, '``')}\``;
    if (k === 'VIEW') {
      const [v] = await mysqlQuery<mysql.RowDataPacket[]>(`SELECT VIEW_DEFINITION AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, undefined, [database, t]);
      out[`view ${t}`] = String(v!.d).split(`\`${database}\`.`).join('');
      continue;
    }
    const [sum] = await mysqlQuery<mysql.RowDataPacket[]>(`CHECKSUM TABLE ${q} EXTENDED`, database);
    const [cnt] = await mysqlQuery<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q}`, database);
    out[`table ${t}`] = `${cnt!.n} rows checksum ${sum!.Checksum} next id ${ai}`;
  }
  const routines = await mysqlQuery<mysql.RowDataPacket[]>(
    `SELECT ROUTINE_TYPE AS k, ROUTINE_NAME AS n, ROUTINE_DEFINITION AS d FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1, 2`,
    undefined,
    [database],
  );
  for (const { k, n, d } of routines) out[`${k} ${n}`] = String(d);
  const triggers = await mysqlQuery<mysql.RowDataPacket[]>(
    `SELECT TRIGGER_NAME AS n, ACTION_STATEMENT AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1`,
    undefined,
    [database],
  );
  for (const { n, d } of triggers) out[`trigger ${n}`] = String(d);
  const events = await mysqlQuery<mysql.RowDataPacket[]>(
    `SELECT EVENT_NAME AS n, EVENT_DEFINITION AS d FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1`,
    undefined,
    [database],
  );
  for (const { n, d } of events) out[`event ${n}`] = String(d);
  return out;
}
