import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { REDIS_URL, removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { load } from 'js-yaml';
import { type IniSections, type KeepwatchProcess, startKeepwatch } from './keepwatch.js';
import { prometheusExample } from './paths.js';
import { type Service, stopAll } from './service.js';

export interface FleetOptions {
  /** Names the database, Redis prefix and temporary directory of the test. */
  name: string;
  /** `[metrics] namespace`; keepwatch's default when unset. */
  namespace?: string;
  /** Also run a worker (backups, task metrics, table counts). */
  worker?: boolean;
  /** Extra settings for both processes. */
  settings?: IniSections;
}

/**
 * A keepwatch fleet of the test's own: a scratch PostgreSQL database with one small table, a
 * Redis prefix, the built server (and worker) as real processes with metrics behind basic auth.
 * `close()` stops everything it started and removes the database, the Redis keys and the files,
 * also after a start that failed half-way.
 */
export interface Fleet {
  readonly dir: string;
  readonly database: string;
  readonly prefix: string;
  /** `host:port` of the server. */
  readonly address: string;
  readonly adminToken: string;
  readonly metricsUser: string;
  /** A file holding the metrics passphrase (0600), for Prometheus's password_file. */
  readonly passphraseFile: string;
  readonly server: KeepwatchProcess;
  readonly worker: KeepwatchProcess | undefined;
  /** Extra processes the test starts (Prometheus, ...), stopped with the fleet. */
  readonly services: Service[];
  close(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const id = randomBytes(4).toString('hex');
  const database = `kw_test_deploy_${options.name.replace(/\W/g, '_')}_${id}`;
  const prefix = `kw-test-deploy-${options.name}-${randomUUID()}:`;
  const dir = await mkdtemp(join(tmpdir(), `kw-deploy-${options.name}-`));
  const services: Service[] = [];
  let databaseCreated = false;
  const close = async (): Promise<void> => {
    await stopAll(services);
    const redis = new Redis(REDIS_URL);
    try {
      await removeKeys(redis, `*${prefix}*`);
    } finally {
      redis.disconnect();
    }
    if (databaseCreated) await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
    databaseCreated = true;
    await pgAdmin(
      (c) =>
        c.query(
          'CREATE TABLE orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT md5(g::text) FROM generate_series(1, 200) g',
        ),
      database,
    );
    const address = `127.0.0.1:${await freePort()}`;
    const adminToken = randomBytes(16).toString('hex');
    const metricsUser = 'prometheus';
    const passphrase = randomBytes(16).toString('hex');
    const passphraseFile = join(dir, 'metrics.passphrase');
    await writeFile(passphraseFile, passphrase, { mode: 0o600 });
    const sections: IniSections = {
      server: { listen: address },
      log: { level: 'info' },
      data: { dir: join(dir, 'data') },
      database: { url: `${PG_URL}/${database}` },
      redis: { url: REDIS_URL, prefix },
      health: { timeout: '1s', deadline: '1500ms' },
      metrics: {
        enabled: true,
        user: metricsUser,
        flush_interval: '200ms',
        ...(options.namespace ? { namespace: options.namespace } : {}),
      },
      backup: { destination: join(dir, 'backups') },
    };
    for (const [section, keys] of Object.entries(options.settings ?? {}))
      sections[section] = { ...sections[section], ...keys };
    const secrets = { KEEPWATCH_SERVER_ADMIN_TOKEN: adminToken, KEEPWATCH_METRICS_PASSPHRASE: passphrase };
    const server = await startKeepwatch('server', dir, sections, secrets);
    services.push(server);
    let worker: KeepwatchProcess | undefined;
    if (options.worker) {
      worker = await startKeepwatch('worker', dir, sections, secrets);
      services.push(worker);
    }
    return { dir, database, prefix, address, adminToken, metricsUser, passphraseFile, server, worker, services, close };
  } catch (error) {
    await close();
    throw error;
  }
}

interface ExampleScrapeConfig {
  job_name: string;
  basic_auth?: { username: string; password_file: string };
  static_configs: Array<{ targets: string[] }>;
  relabel_configs?: Array<{ target_label?: string; replacement?: string }>;
  [key: string]: unknown;
}

/**
 * The scrape jobs of deploy/prometheus/prometheus.yml pointed at a test fleet: `keepwatch` at the
 * server with the fleet's passphrase file, and (given a blackbox exporter's address)
 * `keepwatch-health` probing the server's /healthcheck/ through it. Everything else as shipped.
 */
export async function exampleScrapeConfigs(fleet: Fleet, blackboxAddress?: string): Promise<ExampleScrapeConfig[]> {
  const example = load(await readFile(prometheusExample, 'utf8')) as { scrape_configs: ExampleScrapeConfig[] };
  const jobs: ExampleScrapeConfig[] = [];
  for (const job of example.scrape_configs) {
    if (job.job_name === 'keepwatch') {
      jobs.push({
        ...job,
        basic_auth: { username: fleet.metricsUser, password_file: fleet.passphraseFile },
        static_configs: [{ targets: [fleet.address] }],
      });
    } else if (job.job_name === 'keepwatch-health' && blackboxAddress) {
      jobs.push({
        ...job,
        static_configs: [{ targets: [`http://${fleet.address}/healthcheck/`] }],
        relabel_configs: (job.relabel_configs ?? []).map((relabel) =>
          relabel.target_label === '__address__' ? { ...relabel, replacement: blackboxAddress } : relabel,
        ),
      });
    }
  }
  return jobs;
}
