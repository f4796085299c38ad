import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthChecker, mysqlProbe } from '../src/index.js';
import { MY, createMysqlDatabase, type TestMyDatabase } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { freePort, type SilentListener, silentListener } from '@keepwatch/test-support/net';
import { describeProbeConformance } from './helpers/probe-conformance.js';

let db: TestMyDatabase;
let silent: SilentListener;
const pools: mysql.Pool[] = [];

function pool(config: mysql.PoolOptions = {}): mysql.Pool {
  const p = mysql.createPool({ ...MY, database: db.name, connectTimeout: 5000, ...config });
  pools.push(p);
  return p;
}

beforeAll(async () => {
  db = await createMysqlDatabase('kw_health');
  silent = await silentListener();
});
afterAll(async () => {
  await silent?.close();
  await Promise.allSettled(pools.map((p) => p.end()));
  await db?.drop();
});

describeProbeConformance('mysql', {
  healthy: () => mysqlProbe({ pool: pool() }),
  down: async () => mysqlProbe({ pool: pool({ port: await freePort() }) }),
  silent: () => mysqlProbe({ pool: pool({ port: silent.port }) }),
});

describe('mysql probe', () => {
  it('runs the configured query on the server', async () => {
    const p = pool();
    await p.query('CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY)');
    const checker = createHealthChecker({ probes: [mysqlProbe({ pool: p, query: 'INSERT INTO hits () VALUES ()' })] });
    expect((await checker.check()).ok).toBe(true);
    expect((await checker.check()).ok).toBe(true);
    const [rows] = await p.query('SELECT COUNT(*) AS n FROM hits');
    expect((rows as Array<{ n: number }>)[0]!.n).toBe(2);
  });

  it('fails naming the database when it does not exist', async () => {
    const missing = `missing_${suffix()}`;
    const checker = createHealthChecker({ probes: [mysqlProbe({ pool: pool({ database: missing }) })] });
    const report = await checker.check();
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.error).toMatch(new RegExp(`Unknown database '${missing}'`));
  });

  it('fails on a wrong password without showing it', async () => {
    const password = `Wr0ng-${suffix()}`;
    const checker = createHealthChecker({ probes: [mysqlProbe({ pool: pool({ password }) })] });
    const report = await checker.check();
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.error).toMatch(/Access denied for user 'root'/);
    expect(JSON.stringify(report)).not.toContain(password);
  });

  it('destroys a pooled connection stuck in its query, so a one-connection pool serves the next check', async () => {
    const shared = pool({ connectionLimit: 1 });
    const stuck = createHealthChecker({
      probes: [mysqlProbe({ pool: shared, name: 'stuck', query: 'SELECT SLEEP(5)' })],
      timeoutMs: 300,
    });
    const healthy = createHealthChecker({ probes: [mysqlProbe({ pool: shared })], timeoutMs: 1000 });
    expect((await stuck.check()).checks[0]!.error).toBe('probe "stuck" timed out after 300 ms');
    const started = performance.now();
    expect((await healthy.check()).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('keeps at most one connect pending on a pool to a silent server', async () => {
    const before = silent.accepted;
    const hung = pool({ port: silent.port, connectionLimit: 2, connectTimeout: 60_000 });
    const checker = createHealthChecker({ probes: [mysqlProbe({ pool: hung })], timeoutMs: 150 });
    for (let i = 0; i < 5; i++) expect((await checker.check()).ok).toBe(false);
    expect(silent.accepted - before).toBe(1);
  });
});
