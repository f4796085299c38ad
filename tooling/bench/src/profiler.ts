/**
 * The profiler's cost on the request path: requests per second of Fastify with the profiler
 * plugin at rate 0 and at rate 0.01, as ratios to the same server without it, measured in
 * interleaved rounds in one run. Target: at least 0.99 at rate 0.
 *
 *   pnpm --filter @keepwatch/profiler build
 *   cd tooling/bench && npx tsx src/profiler.ts [--rounds 6] [--duration 3] [--connections 50]
 *
 * `--same` runs three identical bare servers instead: the spread of their ratios is the noise
 * floor of this machine, against which the real ratios should be read.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ProfilerStats } from '@keepwatch/profiler';
import { interleave, load, median, printTable, type LoadResult } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    same: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

const scenarios = [
  { name: 'bare Fastify', key: 'bare', mode: 'bare' },
  { name: 'profiler, rate 0', key: 'rate-0', mode: values.same ? 'bare' : 'rate=0' },
  { name: 'profiler, rate 0.01', key: 'rate-0.01', mode: values.same ? 'bare' : 'rate=0.01' },
];

interface Round extends LoadResult {
  /** Server CPU time per request: less moved than req/s by a neighbour's load on the machine. */
  cpuUsPerRequest: number;
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  child.send(message);
  return once(child, 'message').then(([reply]) => reply as T);
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'kw-bench-profiler-'));
  const child = fork(
    new URL('./profiler-server.ts', import.meta.url),
    [directory, ...scenarios.map((s) => `${s.key}:${s.mode}`)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  try {
    const { ports } = await Promise.race([
      once(child, 'message').then(([m]) => m as { ports: Record<string, number> }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('servers did not start within 20 s')), 20_000),
      ),
    ]);
    const measure = async (key: string): Promise<Round> => {
      const before = (await ask<{ cpuUs: number }>(child, 'cpu')).cpuUs;
      const result = await load({ url: `http://127.0.0.1:${ports[key]}/items/abc123`, duration, connections });
      const after = (await ask<{ cpuUs: number }>(child, 'cpu')).cpuUs;
      return { ...result, cpuUsPerRequest: (after - before) / Math.max(1, result.total) };
    };

    process.stdout.write(
      `profiler benchmark${values.same ? ' (--same: three identical bare servers)' : ''}: ${rounds} interleaved rounds ` +
        `of ${duration} s, ${connections} connections, after one warm-up round each\n`,
    );
    const results = await interleave<Round>(
      scenarios.map((s) => ({ name: s.name, run: () => measure(s.key) })),
      rounds,
      {
        onRound: (name, round, value) =>
          process.stdout.write(
            `  round ${round + 1} ${name}: ${value.requestsPerSecond.toFixed(0)} req/s, ${value.cpuUsPerRequest.toFixed(1)} µs CPU/request\n`,
          ),
      },
    );

    const of = (name: string) => results.get(name)!;
    const baseline = of('bare Fastify');
    // Ratio of medians: on a shared machine a neighbour's load changes within a round, so pairing
    // rounds (the median of per-round ratios) was no steadier in `--same` runs.
    const ratio = (name: string, pick: (r: Round) => number) => median(of(name).map(pick)) / median(baseline.map(pick));
    const rps = (r: Round) => r.requestsPerSecond;
    const cpu = (r: Round) => r.cpuUsPerRequest;

    printTable('throughput (median of rounds) as a ratio to bare Fastify', [
      { name: 'bare Fastify', value: median(baseline.map(rps)), unit: 'req/s' },
      ...scenarios.slice(1).map((s) => ({
        name: s.name,
        value: median(of(s.name).map(rps)),
        unit: 'req/s',
        ratio: ratio(s.name, rps),
        ...(s.key === 'rate-0' ? { target: '>= 0.99', ok: ratio(s.name, rps) >= 0.99 } : {}),
      })),
    ]);
    printTable('server CPU per request (median of rounds; lower is better) as a ratio to bare Fastify', [
      { name: 'bare Fastify', value: median(baseline.map(cpu)), unit: 'µs' },
      ...scenarios.slice(1).map((s) => ({
        name: s.name,
        value: median(of(s.name).map(cpu)),
        unit: 'µs',
        ratio: ratio(s.name, cpu),
      })),
    ]);

    const { stats } = await ask<{ stats: Record<string, ProfilerStats | null> }>(child, 'stats');
    const sampled = stats['rate-0.01'];
    const kept = (await readdir(join(directory, 'rate-0.01')).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
    const errors = [...results.values()].flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    if (sampled) {
      process.stdout.write(
        `\nrate 0.01: ${sampled.sampled} captured, ${sampled.skipped} skipped (busy), ${sampled.throttled} throttled ` +
          `(maxOverhead), ${sampled.written} written, ${sampled.evicted} evicted, ${kept.length} kept; `,
      );
    }
    process.stdout.write(
      `rate 0 opened ${stats['rate-0']?.sessionsOpened ?? 0} inspector sessions; ${errors} errors or non-2xx\n`,
    );
  } finally {
    child.send('close');
    await once(child, 'exit');
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
