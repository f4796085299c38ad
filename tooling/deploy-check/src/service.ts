import { type ChildProcess, spawn } from 'node:child_process';

/** A long-running child process of a test: a server, Prometheus, Alertmanager, an exporter. */
export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last few KB of what it wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Throws, with its output, when the process has exited; for wait loops. */
  assertRunning(): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_BYTES = 8192;

/**
 * Starts `command` and keeps the tail of its output. Rejects when the binary cannot be started
 * (naming what to install), so a missing tool fails the test instead of skipping it.
 */
export async function startService(
  name: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Service> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(
        new Error(`cannot start ${name} (${command}): ${error.message}; bash scripts/prepare-machine.sh installs it`),
      ),
    );
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    output: () => tail,
    assertRunning() {
      if (!running()) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${tail}`);
    },
    async stop(graceMs = 5000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Stops every service at once, whatever state each is in; never rejects. */
export async function stopAll(services: Iterable<Service | undefined>): Promise<void> {
  await Promise.allSettled([...services].map((service) => service?.stop()));
}
