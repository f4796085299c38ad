/**
 * The start-up of the `keepwatch` command: a bare `keepwatch backup list` against a config whose
 * destination is empty (so the time is the process's start, its imports and one directory
 * read), each run a fresh process, next to `node -e ''` (what any Node process costs here) and,
 * with `--before`, the same command from an older build. Target (issue 18): under 150 ms.
 *
 *   cd tooling/bench && npx tsx src/cli-startup.ts [--rounds 30] [--before OLD/apps/cli/dist/main.js]
 *
 * Build first (`pnpm exec turbo run build --filter=@keepwatch/cli...`). For `--before`, build
 * an older commit apart (`git archive <commit> | tar -x -C DIR`, `pnpm install --offline`, the
 * same build in DIR). Every round runs each process once, in a new shuffled order; each is timed
 * by bash's `time` (wall, and the CPU it used: on a shared machine the wall time waits for a
 * core, the CPU time much less). Prints the median of each with a 90% bootstrap interval, the
 * noise floor (a second `node -e ''` against the first) and what the command adds to bare Node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { interleave, median, resampled, seededRandom } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    before: { type: 'string' },
    seed: { type: 'string', default: '18' },
  },
});
const rounds = Number(values.rounds);
const seed = Number(values.seed);
const cli = fileURLToPath(new URL('../../../apps/cli/dist/main.js', import.meta.url));
const before = values.before === undefined ? undefined : resolve(values.before);
for (const file of [cli, before]) {
  if (file !== undefined && !existsSync(file)) throw new Error(`${file} is missing: build it first`);
}

const TARGET_MS = 150;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** One process, timed by bash's `time` (milliseconds; user + system for the CPU). */
function timed(args: string[]): Timing {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const run = spawnSync('bash', ['-c', `TIMEFORMAT='%3R %3U %3S'; time node ${quoted} >/dev/null 2>"$KW_ERR"`], {
    encoding: 'utf8',
    env: { ...process.env, KW_ERR: errFile },
  });
  if (run.status !== 0) {
    const again = spawnSync('node', args, { encoding: 'utf8' });
    throw new Error(`node ${args.join(' ')} exited ${run.status}:\n${again.stderr}`);
  }
  const [wall, user, system] = run.stderr.trim().split(/\s+/).slice(-3).map(Number) as [number, number, number];
  return { wallMs: wall * 1000, cpuMs: (user + system) * 1000 };
}

/** The median of `values` with a 90% bootstrap interval. */
function medianWithInterval(values: number[], random: () => number): [number, number, number] {
  const medians = Array.from({ length: 2000 }, () => median(resampled(values, random))).sort((a, b) => a - b);
  return [median(values), medians[Math.floor(medians.length * 0.05)]!, medians[Math.floor(medians.length * 0.95)]!];
}

const work = await mkdtemp(join(tmpdir(), 'kw-bench-cli-startup-'));
const errFile = join(work, 'stderr');
try {
  const config = join(work, 'keepwatch.ini');
  await mkdir(join(work, 'backups'));
  await mkdir(join(work, 'data'));
  await writeFile(config, `[data]\ndir = ${join(work, 'data')}\n\n[backup]\ndestination = ${join(work, 'backups')}\n`);
  const list = (main: string) => [main, '--config', config, 'backup', 'list'];

  const scenarios = [
    { name: "node -e ''", args: ['-e', ''] },
    { name: "node -e '' (again: noise floor)", args: ['-e', ''] },
    { name: 'keepwatch backup list', args: list(cli) },
    ...(before ? [{ name: 'keepwatch backup list (--before)', args: list(before) }] : []),
  ];
  const results = await interleave<Timing>(
    scenarios.map((scenario) => ({ name: scenario.name, run: async () => timed(scenario.args) })),
    rounds,
    { shuffle: seededRandom(seed) },
  );

  const random = seededRandom(seed + 1);
  const bare = results.get("node -e ''")!;
  process.stdout.write(`\n${rounds} rounds, each process once per round in a shuffled order (seed ${seed})\n`);
  const rows = scenarios.map(({ name }) => {
    const timings = results.get(name)!;
    const [wall, wallLow, wallHigh] = medianWithInterval(
      timings.map((t) => t.wallMs),
      random,
    );
    const [cpu, cpuLow, cpuHigh] = medianWithInterval(
      timings.map((t) => t.cpuMs),
      random,
    );
    // Per round, the process less bare Node in the same round: what it adds to a Node start.
    const [added, addedLow, addedHigh] = medianWithInterval(
      timings.map((t, i) => t.wallMs - bare[i]!.wallMs),
      random,
    );
    return [
      name,
      `${wall.toFixed(0)} ms [${wallLow.toFixed(0)}..${wallHigh.toFixed(0)}]`,
      `${cpu.toFixed(0)} ms [${cpuLow.toFixed(0)}..${cpuHigh.toFixed(0)}]`,
      `${added >= 0 ? '+' : ''}${added.toFixed(0)} ms [${addedLow.toFixed(0)}..${addedHigh.toFixed(0)}]`,
      name.startsWith('keepwatch') ? (wall < TARGET_MS ? 'ok' : `MISSED (< ${TARGET_MS} ms)`) : '',
    ];
  });
  const table = [['process', 'wall, median [90%]', 'CPU (user+sys)', 'wall over node -e', 'target'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
  if (before) {
    const now = results.get('keepwatch backup list')!;
    const old = results.get('keepwatch backup list (--before)')!;
    const [ratio, low, high] = medianWithInterval(
      now.map((t, i) => t.wallMs / old[i]!.wallMs),
      random,
    );
    process.stdout.write(
      `\n  backup list now / --before, per round: x${ratio.toFixed(2)} [${low.toFixed(2)}..${high.toFixed(2)}]\n`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
