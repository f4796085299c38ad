import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthChecker, postgresProbe, type Probe } from '../src/index.js';
import { suffix } from '@keepwatch/test-support/names';
import { freePort, type SilentListener, silentListener } from '@keepwatch/test-support/net';
import { PG, createPgDatabase, type TestPgDatabase } from '@keepwatch/test-support/postgres';
import { describeProbeConformance } from './helpers/probe-conformance.js';

let db: TestPgDatabase;
let silent: SilentListener;
const pools: pg.Pool[] = [];
const probes: Probe[] = [];

function pool(config: pg.PoolConfig = {}): pg.Pool {
  const p = new pg.Pool({ ...PG, database: db.name, ...config });
  p.on('error', () => undefined);
  pools.push(p);
  return p;
}
function probe(p: Probe): Probe {
  probes.push(p);
  return p;
}

beforeAll(async () => {
  db = await createPgDatabase('kw_health');
  silent = await silentListener();
});
afterEach(async () => {
  await Promise.allSettled(probes.splice(0).map((p) => p.close?.()));
});
afterAll(async () => {
  await silent?.close();
  await Promise.allSettled(pools.map((p) => p.end()));
  await db?.drop();
});

describeProbeConformance('postgres (app pool)', {
  healthy: () => postgresProbe({ pool: pool() }),
  down: async () => postgresProbe({ pool: pool({ port: await freePort() }) }),
  silent: () => postgresProbe({ pool: pool({ port: silent.port, connectionTimeoutMillis: 5000 }) }),
});

describeProbeConformance('postgres (connection options)', {
  healthy: () => postgresProbe({ connection: { ...PG, database: db.name } }),
  down: async () => postgresProbe({ connection: `postgres://postgres@127.0.0.1:${await freePort()}/${db.name}` }),
  silent: () => postgresProbe({ connection: { ...PG, port: silent.port, database: db.name } }),
});

describe('postgres probe', () => {
  it('runs the configured query on the server', async () => {
    const seq = `probe_seq_${suffix()}`;
    await db.sql(`CREATE SEQUENCE ${seq}`);
    const checker = createHealthChecker({
      probes: [probe(postgresProbe({ pool: pool(), query: `SELECT nextval('${seq}')` }))],
    });
    await checker.check();
    await checker.check();
    const [row] = await db.sql<{ last_value: string }>(`SELECT last_value FROM ${seq}`);
    expect(row!.last_value).toBe('2');
  });

  it('fails naming the database when it does not exist', async () => {
    const checker = createHealthChecker({
      probes: [probe(postgresProbe({ connection: { ...PG, database: `missing_${suffix()}` } }))],
    });
    const report = await checker.check();
    expect(report.ok).toBe(false);
    expect(report.checks[0]!.error).toMatch(/database "missing_[0-9a-f]+" does not exist/);
  });

  it('never shows the password of a connection URL that fails', async () => {
    const password = 'S3cret-Pa55:w@rd';
    const url = `postgres://nobody_${suffix()}:${encodeURIComponent(password)}@127.0.0.1:5432/${db.name}`;
    const refused = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${await freePort()}/${db.name}`;
    const checker = createHealthChecker({
      probes: [
        probe(postgresProbe({ name: 'role', connection: url })),
        probe(postgresProbe({ name: 'port', connection: refused })),
      ],
    });
    const report = await checker.check();
    expect(report.ok).toBe(false);
    const text = JSON.stringify(report);
    expect(report.checks[0]!.error).toMatch(/role "nobody_[0-9a-f]+" does not exist/);
    expect(report.checks[1]!.error).toMatch(/ECONNREFUSED/);
    for (const secret of [password, encodeURIComponent(password), 'S3cret']) expect(text).not.toContain(secret);
  });

  it('destroys a pooled connection stuck in its query, so a one-connection pool serves the next check', async () => {
    const shared = pool({ max: 1 });
    const stuck = createHealthChecker({
      probes: [probe(postgresProbe({ pool: shared, name: 'stuck', query: 'SELECT pg_sleep(5)' }))],
      timeoutMs: 300,
    });
    const healthy = createHealthChecker({ probes: [probe(postgresProbe({ pool: shared }))], timeoutMs: 1000 });

    const first = await stuck.check();
    expect(first.checks[0]!.error).toBe('probe "stuck" timed out after 300 ms');
    const started = performance.now();
    const second = await healthy.check();
    expect(second.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    expect(shared.totalCount).toBe(1);
  });

  it('keeps at most one connect pending on a pool to a silent server, however many checks time out', async () => {
    const before = silent.accepted;
    // No connectionTimeoutMillis: the pool alone would queue one more checkout per check.
    const hung = pool({ port: silent.port, max: 2 });
    const checker = createHealthChecker({ probes: [probe(postgresProbe({ pool: hung }))], timeoutMs: 150 });
    for (let i = 0; i < 5; i++) expect((await checker.check()).ok).toBe(false);
    expect(hung.waitingCount).toBe(0);
    expect(hung.totalCount).toBe(1);
    expect(silent.accepted - before).toBe(1);
  });

  it('closes the connection it owns on close()', async () => {
    const applicationName = `kw_health_${suffix()}`;
    const own = postgresProbe({ connection: { ...PG, database: db.name, application_name: applicationName } });
    const checker = createHealthChecker({ probes: [own] });
    expect((await checker.check()).ok).toBe(true);
    const count = async () =>
      Number(
        (
          await db.sql<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = '${applicationName}'`,
          )
        )[0]!.n,
      );
    expect(await count()).toBe(1);
    await checker.close();
    await vi.waitFor(async () => expect(await count()).toBe(0), { timeout: 2000, interval: 50 });
  });

  it('rejects options that give both or neither of pool and connection', () => {
    expect(() => postgresProbe({})).toThrow(/pool: give exactly one of pool and connection/);
    expect(() => postgresProbe({ pool: pool(), connection: 'postgres://x' })).toThrow(/give exactly one/);
  });
});
