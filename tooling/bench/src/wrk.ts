/**
 * HTTP load from wrk (Debian's `wrk`, written in C), for benchmarks whose server must be the
 * only bottleneck. autocannon runs in Node: on a 2-core machine it could not keep a hello-world
 * Fastify busy (the server idled 15% of each round), so part of every throughput figure was the
 * load generator's own speed, and a server's cost showed diluted and noisier. wrk keeps the
 * server saturated from one core with a fraction of that core.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { LoadResult } from './harness.js';

const run = promisify(execFile);

export interface WrkOptions {
  url: string;
  /** @defaultValue 50 */
  connections?: number;
  /** Whole seconds (wrk's resolution). @defaultValue 1 */
  duration?: number;
  /** Run wrk on this CPU only (`taskset`), away from the server's. */
  cpu?: number;
}

/** Throws a message a person can act on when wrk is missing, before any server is started. */
export function assertWrkInstalled(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is a problem.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('wrk is not installed: apt-get install -y wrk (scripts/prepare-machine.sh installs it)');
    }
  }
}

/** One round of load: wrk with one thread and `connections` keep-alive connections. */
export async function wrk(options: WrkOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections ?? 50}`, `-d${options.duration ?? 1}s`, '--latency', options.url];
  const [command, argv] =
    options.cpu === undefined ? ['wrk', args] : ['taskset', ['--cpu-list', String(options.cpu), 'wrk', ...args]];
  const { stdout } = await run(command, argv, { encoding: 'utf8' });
  return parseWrkOutput(stdout);
}

/** Reads wrk's text report; throws naming the line it expected when the format is not wrk's. */
export function parseWrkOutput(text: string): LoadResult {
  const field = (pattern: RegExp, what: string): RegExpExecArray => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`wrk output has no ${what} line:\n${text}`);
    return match;
  };
  const total = Number(field(/(\d+) requests in /, '"N requests in"')[1]);
  const requestsPerSecond = Number(field(/Requests\/sec:\s+([\d.]+)/, '"Requests/sec"')[1]);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const p99 = / 99%\s+([\d.]+)(us|ms|s)\b/.exec(text);
  const unit = { us: 0.001, ms: 1, s: 1000 } as const;
  return {
    requestsPerSecond,
    total,
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    p99Ms: p99 ? Number(p99[1]) * unit[p99[2] as keyof typeof unit] : Number.NaN,
  };
}
