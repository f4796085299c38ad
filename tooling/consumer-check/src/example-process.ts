import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A README example running as its own process, under tsx, as `node --import tsx file.ts`. */
export interface ExampleProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit once the process ended; rejects (after SIGKILL) past `timeoutMs`. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `port` accepts a connection; rejects when the process ends first or past `timeoutMs`. */
  listening(port: number, timeoutMs: number): Promise<void>;
  /** SIGKILL if still running (every path of a test ends with it). */
  kill(): void;
}

export function startExample(file: string, cwd: string, env: NodeJS.ProcessEnv): ExampleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-65_536);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString('utf8')).slice(-65_536);
  });
  const ended = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const running = () => child.exitCode === null && child.signalCode === null;
  const describe = () => `stderr ends:\n${err.slice(-3000)}\nstdout ends:\n${out.slice(-3000)}`;

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async exited(timeoutMs) {
      const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
      const result = await Promise.race([ended, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`still running ${timeoutMs} ms later; ${describe()}`);
      }
      return { code: result[0], signal: result[1] };
    },
    async listening(port, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!running())
          throw new Error(`exited with ${child.exitCode ?? child.signalCode} before listening; ${describe()}`);
        if (await accepts(port)) return;
        await sleep(100);
      }
      throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms; ${describe()}`);
    },
    kill() {
      if (running()) child.kill('SIGKILL');
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
