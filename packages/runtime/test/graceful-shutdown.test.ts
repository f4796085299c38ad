import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, onShutdownSignal } from '../src/index.js';

const quiet = createLogger({ name: 'test', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

function exitCode(): { promise: Promise<number>; exit: (code: number) => void } {
  let exit!: (code: number) => void;
  const promise = new Promise<number>((resolve) => {
    exit = resolve;
  });
  return { promise, exit };
}

describe('onShutdownSignal', () => {
  it('runs the shutdown once and exits 0', async () => {
    const { promise, exit } = exitCode();
    let runs = 0;
    uninstall = onShutdownSignal({
      logger: quiet,
      timeoutMs: 1000,
      exit,
      shutdown: async () => {
        runs++;
      },
    });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await promise).toBe(0);
    expect(runs).toBe(1);
  });

  it('exits 1 when the shutdown outlives its bound', async () => {
    const { promise, exit } = exitCode();
    uninstall = onShutdownSignal({ logger: quiet, timeoutMs: 50, exit, shutdown: () => new Promise(() => undefined) });
    const started = Date.now();
    process.emit('SIGINT', 'SIGINT');
    expect(await promise).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('exits 1 at once on a second signal', async () => {
    const codes: number[] = [];
    uninstall = onShutdownSignal({
      logger: quiet,
      timeoutMs: 10_000,
      repeatWindowMs: 50,
      exit: (code) => codes.push(code),
      shutdown: () => new Promise(() => undefined),
    });
    process.emit('SIGINT', 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.emit('SIGINT', 'SIGINT');
    expect(codes).toEqual([1]);
  });

  it('takes a signal repeated at once (terminal and launcher both passing on Ctrl-C) as the first one', async () => {
    const codes: number[] = [];
    let finish!: () => void;
    let runs = 0;
    uninstall = onShutdownSignal({
      logger: quiet,
      timeoutMs: 10_000,
      exit: (code) => codes.push(code),
      shutdown: () => {
        runs++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    expect(codes).toEqual([]);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(codes).toEqual([0]);
    expect(runs).toBe(1);
  });
});
