/**
 * The benchmark harness: every keepwatch benchmark compares a candidate with a baseline measured
 * in the same script, alternating rounds so that a noisy neighbour slows both alike, and prints
 * the ratio (the number that proves a target), not a bare figure.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import autocannon from 'autocannon';

export interface LoadOptions {
  /** Full URL on loopback. */
  url: string;
  /** @defaultValue 100 */
  connections?: number;
  /** Seconds per round. @defaultValue 5 */
  duration?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'HEAD' | 'POST';
}

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Drives one HTTP load round with autocannon (a real client over a real socket). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 100,
    duration: options.duration ?? 5,
    headers: options.headers,
    method: options.method ?? 'GET',
  });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export interface Scenario<T> {
  name: string;
  run: () => Promise<T>;
}

/** Where the scenarios of a round go: in the order given (A B C A B C …) or shuffled anew each round. */
export interface InterleaveOptions<T> {
  onRound?: (name: string, round: number, value: T) => void;
  /**
   * Shuffle the scenarios each round with this generator (see {@link seededRandom}): with a
   * fixed order, a scenario always follows the same neighbour, and whatever that neighbour
   * leaves behind (a warm or cold cache, a busy Redis) falls on it in every round.
   */
  shuffle?: () => number;
}

/**
 * Runs each scenario `rounds` times, interleaved, after one untimed warm-up round each, and
 * returns every scenario's measurements in order.
 */
export async function interleave<T>(
  scenarios: Scenario<T>[],
  rounds: number,
  { onRound, shuffle }: InterleaveOptions<T> = {},
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(scenarios.map((s) => [s.name, []]));
  for (const scenario of scenarios) await scenario.run();
  for (let round = 0; round < rounds; round++) {
    for (const scenario of shuffle ? shuffled(scenarios, shuffle) : scenarios) {
      const value = await scenario.run();
      results.get(scenario.name)!.push(value);
      onRound?.(scenario.name, round, value);
    }
  }
  return results;
}

/** A copy of `items` in random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** As many items as `items` has, drawn from it with replacement (a bootstrap sample). */
export function resampled<T>(items: readonly T[], random: () => number): T[] {
  return items.map(() => items[Math.floor(random() * items.length)]!);
}

/**
 * A small seeded generator (mulberry32), so that a run's order can be repeated with its seed:
 * `Math.random` cannot be seeded, and a benchmark's order is worth no dependency.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Time of one call in milliseconds, with a high-resolution clock. */
export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface RatioRow {
  name: string;
  value: number;
  unit: string;
  /** value / baseline value */
  ratio?: number;
  target?: string;
  ok?: boolean;
}

/** Prints an aligned table; `ok` false marks a missed target with a cross. */
export function printTable(title: string, rows: RatioRow[]): void {
  const lines = rows.map((row) => [
    row.name,
    `${formatNumber(row.value)} ${row.unit}`,
    row.ratio === undefined ? '' : `x${row.ratio.toFixed(3)}`,
    row.target ?? '',
    row.ok === undefined ? '' : row.ok ? 'ok' : 'MISSED',
  ]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  process.stdout.write(`\n${title}\n`);
  for (const line of lines) {
    process.stdout.write(`  ${line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
  }
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Peak resident set size of a finished child in MB, from `/usr/bin/time -v`-free means: VmHWM. */
export async function peakRssMb(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pins a process (every thread of it) to one CPU with `taskset`, so that a load generator and
 * the server it measures stop taking turns on the same cores: on two cores their competing
 * for them, not the server's own cost, made most of the spread between rounds. Returns false,
 * and pins nothing, where that cannot be done (one CPU, or no `taskset`).
 */
export function pinToCpu(pid: number, cpu: number): boolean {
  // cpus(), not availableParallelism(): the latter counts only the CPUs this process may use,
  // 1 once the process has pinned itself.
  if (cpus().length <= cpu) return false;
  try {
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
