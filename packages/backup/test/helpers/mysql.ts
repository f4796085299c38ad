import { MY_URL, myAdmin } from '@keepwatch/test-support/mariadb';
import mysql from 'mysql2/promise';

/**
 * Runs a seeding script of several statements inside `database`. Not `myAdmin`: a script needs
 * `multipleStatements`, which mysql2 only takes when it connects, and a default database for the
 * tables it names without one.
 */
export async function mysqlScript(database: string, sql: string): Promise<void> {
  const connection = await mysql.createConnection({
    uri: MY_URL,
    database,
    charset: 'utf8mb4',
    multipleStatements: true,
    connectTimeout: 5000,
  });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/** Rows (CHECKSUM TABLE plus counts), views, routines, triggers, events, auto-increment positions. */
export async function mysqlFingerprint(database: string): Promise<Record<string, string>> {
  return myAdmin(async (c) => {
    const rows = async (sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> =>
      (await c.query<mysql.RowDataPacket[]>(sql, params))[0];
    const db = `\`${database.replace(/`/g, '``')}\``;
    const out: Record<string, string> = {};
    const tables = await rows(
      `SELECT TABLE_NAME AS t, TABLE_TYPE AS k, AUTO_INCREMENT AS ai FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`,
      [database],
    );
    for (const { t, k, ai } of tables) {
      const q = `${db}.\`${String(t).replace(/`/g, '``')}\``;
      if (k === 'VIEW') {
        const [v] = await rows(
          `SELECT VIEW_DEFINITION AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
          [database, t],
        );
        out[`view ${t}`] = String(v!.d).split(`\`${database}\`.`).join('');
        continue;
      }
      const [sum] = await rows(`CHECKSUM TABLE ${q} EXTENDED`);
      const [cnt] = await rows(`SELECT COUNT(*) AS n FROM ${q}`);
      out[`table ${t}`] = `${cnt!.n} rows checksum ${sum!.Checksum} next id ${ai}`;
    }
    const routines = await rows(
      `SELECT ROUTINE_TYPE AS k, ROUTINE_NAME AS n, ROUTINE_DEFINITION AS d FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1, 2`,
      [database],
    );
    for (const { k, n, d } of routines) out[`${k} ${n}`] = String(d);
    const triggers = await rows(
      `SELECT TRIGGER_NAME AS n, ACTION_STATEMENT AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1`,
      [database],
    );
    for (const { n, d } of triggers) out[`trigger ${n}`] = String(d);
    const events = await rows(
      `SELECT EVENT_NAME AS n, EVENT_DEFINITION AS d FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1`,
      [database],
    );
    for (const { n, d } of events) out[`event ${n}`] = String(d);
    return out;
  });
}
