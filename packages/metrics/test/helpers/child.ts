import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Runs a fixture script from test/fixtures with one JSON argument. */
export function runFixture(name: string, options: object): Child {
  const script = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline !== -1) resolve(out.slice(0, newline));
    });
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  return { process: child, firstLine, exited, stderr: () => stderr };
}

/** Starts the server fixture and resolves its base URL. */
export async function startServer(options: object): Promise<{ child: Child; baseUrl: string }> {
  const child = runFixture('server.mjs', options);
  const line = await withDeadline(child.firstLine, 15_000, 'server fixture start');
  const { port } = JSON.parse(line) as { port: number };
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

export async function stopChild(child: Child | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
