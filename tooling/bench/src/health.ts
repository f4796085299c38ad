/**
 * What readiness checks cost under load balancer pressure: `/healthcheck/` with
 * @keepwatch/health (PostgreSQL + Redis probes, cacheMs 0) driven by 100 concurrent clients,
 * against a bare Fastify route answering 200 in the same run (interleaved rounds), and how many
 * database queries that load caused, counted by PostgreSQL (a sequence the probe advances).
 * Single-flight is what keeps the second number far below the first.
 *
 *   pnpm --filter @keepwatch/health build
 *   cd tooling/bench && npx tsx src/health.ts [--rounds 3] [--duration 3] [--connections 100]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { interleave, load, median, printTable, type LoadResult } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

const suffix = randomBytes(4).toString('hex');
const database = `kw_bench_health_${suffix}`;
const sequence = 'probe_queries';
const redisPrefix = `keepwatch:bench-health-${suffix}:`;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(mode: 'bare' | 'health'): Promise<Server> {
  const child = fork(new URL('./health-server.ts', import.meta.url), [mode, database, sequence, redisPrefix], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${mode} server did not start within 20 s`)), 20_000)),
  ])) as [{ port: number }];
  return { child, url: `http://127.0.0.1:${message.port}/healthcheck/` };
}

async function adminSql(sql: string, db = 'postgres'): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ ...PG, database: db });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function queriesSoFar(): Promise<number> {
  const [row] = await adminSql(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM ${sequence}`, database);
  return Number(row!.n);
}

async function main(): Promise<void> {
  await adminSql(`CREATE DATABASE ${database}`);
  await adminSql(`CREATE SEQUENCE ${sequence}`, database);
  const servers: Server[] = [];
  try {
    const bare = await startServer('bare');
    const health = await startServer('health');
    servers.push(bare, health);

    const queriesPerRound: number[] = [];
    const results = await interleave<LoadResult>(
      [
        { name: 'bare', run: () => load({ url: bare.url, connections, duration }) },
        {
          name: 'health',
          run: async () => {
            const before = await queriesSoFar();
            const result = await load({ url: health.url, connections, duration });
            queriesPerRound.push((await queriesSoFar()) - before);
            return result;
          },
        },
      ],
      rounds,
      {
        onRound: (name, round, value) =>
          process.stdout.write(
            `round ${round + 1} ${name.padEnd(6)} ${value.requestsPerSecond.toFixed(0)} req/s, p99 ${value.p99Ms} ms` +
              `${value.non2xx + value.errors > 0 ? `, ${value.non2xx} non-2xx, ${value.errors} errors` : ''}` +
              `${name === 'health' ? `, ${queriesPerRound.at(-1)} db queries` : ''}\n`,
          ),
      },
    );

    const bareRps = median(results.get('bare')!.map((r) => r.requestsPerSecond));
    const healthRuns = results.get('health')!;
    const healthRps = median(healthRuns.map((r) => r.requestsPerSecond));
    // The first entry is the warm-up round's.
    const timed = queriesPerRound.slice(1);
    const requests = healthRuns.reduce((sum, r) => sum + r.total, 0);
    const queries = timed.reduce((sum, n) => sum + n, 0);
    const failures = healthRuns.reduce((sum, r) => sum + r.non2xx + r.errors, 0);

    printTable(`/healthcheck/ at ${connections} concurrent clients, ${rounds} rounds of ${duration} s (medians)`, [
      { name: 'bare Fastify 200', value: bareRps, unit: 'req/s' },
      { name: '@keepwatch/health, cacheMs 0', value: healthRps, unit: 'req/s', ratio: healthRps / bareRps },
      { name: 'database queries (server-side)', value: queries / (rounds * duration), unit: 'per s' },
      {
        name: 'requests per database query',
        value: requests / Math.max(queries, 1),
        unit: 'req/query',
        target: '> 1 (single-flight)',
        ok: queries < requests,
      },
      { name: 'non-2xx or errors on /healthcheck/', value: failures, unit: '', target: '0', ok: failures === 0 },
    ]);
  } finally {
    for (const server of servers) {
      server.child.disconnect();
      await Promise.race([once(server.child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await adminSql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
