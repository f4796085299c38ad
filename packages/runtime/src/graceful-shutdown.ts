import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Longest the whole shutdown may take before the process exits anyway (code 1). */
  timeoutMs: number;
  /** Runs once, on the first SIGTERM or SIGINT. */
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** @defaultValue process.exit */
  exit?: (code: number) => void;
  /**
   * A second signal sooner than this after the first is the same request delivered twice, not an
   * operator insisting: Ctrl-C reaches every process of the terminal's process group, and a
   * launcher in that group (`pnpm start`, concurrently, a supervisor stopping its children)
   * passes it on as well, a few milliseconds apart.
   * @defaultValue 1000
   */
  repeatWindowMs?: number;
}

/**
 * Installs SIGTERM/SIGINT handlers that run `shutdown` once and exit 0, or exit 1 when it fails
 * or outlives `timeoutMs`. A second signal while shutting down exits at once (an operator who
 * presses Ctrl-C twice means it), unless it comes within `repeatWindowMs` of the first.
 */
export function onShutdownSignal(options: GracefulShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const repeatWindowMs = options.repeatWindowMs ?? 1000;
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      const sinceFirstMs = Math.round(performance.now() - stoppingSince);
      if (sinceFirstMs < repeatWindowMs) {
        options.logger.info(
          { signal, sinceFirstMs },
          'signal repeated at once (process group and launcher): still shutting down',
        );
        return;
      }
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stoppingSince = performance.now();
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown took too long: exiting');
      exit(1);
    }, options.timeoutMs);
    timer.unref();
    options.shutdown(signal).then(
      () => {
        clearTimeout(timer);
        options.logger.info('shut down cleanly');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
