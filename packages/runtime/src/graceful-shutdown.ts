import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Longest the whole shutdown may take before the process exits anyway (code 1). */
  timeoutMs: number;
  /** Runs once, on the first SIGTERM or SIGINT. */
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** @defaultValue process.exit */
  exit?: (code: number) => void;
}

/**
 * Installs SIGTERM/SIGINT handlers that run `shutdown` once and exit 0, or exit 1 when it fails
 * or outlives `timeoutMs`. A second signal while shutting down exits at once (an operator who
 * presses Ctrl-C twice means it).
 */
export function onShutdownSignal(options: GracefulShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
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
