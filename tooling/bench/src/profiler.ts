/**
 * The profiler's cost on the request path: requests per second of Fastify with the profiler
 * plugin at rate 0 and at rate 0.01, as ratios to the same server without it, measured in
 * interleaved rounds in one run. Target: at least 0.99 at rate 0.
 *
 *   pnpm --filter @keepwatch/profiler build
 *   cd tooling/bench && npx tsx src/profiler.ts [--rounds 5] [--duration 4] [--connections 50]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { interleave, load, median, printTable, type LoadResult, type RatioRow } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

interface Server {
  name: string;
  mode: string;
  child: ChildProcess;
  url: string;
}

async function startServer(name: string, mode: string, directory: string): Promise<Server> {
  const child = fork(new URL('./profiler-server.ts', import.meta.url), [mode, directory], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000)),
  ])) as [{ port: number }];
  return { name, mode, child, url: `http://127.0.0.1:${message.port}/items/abc123` };
}

/** CPU time (user + system) the server process has used so far, in microseconds. */
async function cpuOf(server: Server): Promise<number> {
  server.child.send('cpu');
  const [message] = (await once(server.child, 'message')) as [{ cpuUs: number }];
  return message.cpuUs;
}

interface Round extends LoadResult {
  /** Server CPU time per request: unlike req/s, barely moved by a neighbour's load on the machine. */
  cpuUsPerRequest: number;
}

async function measure(server: Server): Promise<Round> {
  const before = await cpuOf(server);
  const result = await load({ url: server.url, duration, connections });
  const after = await cpuOf(server);
  return { ...result, cpuUsPerRequest: (after - before) / Math.max(1, result.total) };
}

async function statsOf(server: Server): Promise<Record<string, number> | null> {
  server.child.send('stats');
  const [message] = (await once(server.child, 'message')) as [{ stats: Record<string, number> | null }];
  return message.stats;
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'kw-bench-profiler-'));
  const servers = [
    await startServer('bare Fastify', 'bare', directory),
    await startServer('profiler, rate 0', 'rate=0', join(directory, 'rate-0')),
    await startServer('profiler, rate 0.01', 'rate=0.01', join(directory, 'rate-0.01')),
  ];
  try {
    process.stdout.write(
      `profiler benchmark: ${rounds} interleaved rounds of ${duration} s, ${connections} connections, after one warm-up round each\n`,
    );
    const results = await interleave<Round>(
      servers.map((server) => ({ name: server.name, run: () => measure(server) })),
      rounds,
      (name, round, value) =>
        process.stdout.write(
          `  round ${round + 1} ${name}: ${value.requestsPerSecond.toFixed(0)} req/s, ${value.cpuUsPerRequest.toFixed(1)} µs CPU/request\n`,
        ),
    );
    const rps = (name: string) => median(results.get(name)!.map((r) => r.requestsPerSecond));
    // The ratio of each round's pair, then the median: a neighbour's load that drifts over the
    // run moves both sides of a pair alike, where a ratio of overall medians would carry it.
    const ratio = (name: string, of: (r: Round) => number = (r) => r.requestsPerSecond) =>
      median(results.get(name)!.map((r, round) => of(r) / of(results.get('bare Fastify')![round]!)));
    const cpu = (name: string) => median(results.get(name)!.map((r) => r.cpuUsPerRequest));
    const cpuRatio = (name: string) => ratio(name, (r) => r.cpuUsPerRequest);
    const errors = [...results.values()].flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    const rows: RatioRow[] = [
      { name: 'bare Fastify', value: rps('bare Fastify'), unit: 'req/s' },
      {
        name: 'profiler, rate 0',
        value: rps('profiler, rate 0'),
        unit: 'req/s',
        ratio: ratio('profiler, rate 0'),
        target: '>= 0.99',
        ok: ratio('profiler, rate 0') >= 0.99,
      },
      {
        name: 'profiler, rate 0.01',
        value: rps('profiler, rate 0.01'),
        unit: 'req/s',
        ratio: ratio('profiler, rate 0.01'),
      },
    ];
    printTable('throughput: median req/s, and median of each round\'s ratio to bare Fastify', rows);
    printTable('server CPU per request (lower is better), as a ratio to bare Fastify', [
      { name: 'bare Fastify', value: cpu('bare Fastify'), unit: 'µs' },
      {
        name: 'profiler, rate 0',
        value: cpu('profiler, rate 0'),
        unit: 'µs',
        ratio: cpuRatio('profiler, rate 0'),
        target: '<= 1.01',
        ok: cpuRatio('profiler, rate 0') <= 1.01,
      },
      { name: 'profiler, rate 0.01', value: cpu('profiler, rate 0.01'), unit: 'µs', ratio: cpuRatio('profiler, rate 0.01') },
    ]);
    const stats = await statsOf(servers[2]!);
    const kept = (await readdir(join(directory, 'rate-0.01')).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
    process.stdout.write(
      `\nrate 0.01: ${stats?.sampled ?? 0} captured, ${stats?.skipped ?? 0} skipped (busy), ` +
        `${stats?.throttled ?? 0} throttled (maxOverhead), ${stats?.written ?? 0} written, ` +
        `${stats?.evicted ?? 0} evicted, ${kept.length} kept; rate 0 opened ${(await statsOf(servers[1]!))?.sessionsOpened ?? 0} inspector sessions; ` +
        `${errors} errors or non-2xx\n`,
    );
  } finally {
    for (const server of servers) {
      server.child.send('close');
      await once(server.child, 'exit');
    }
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
