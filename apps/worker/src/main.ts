import { loadConfig } from '@keepwatch/config';
import { createLogger, onShutdownSignal, parseProcessArgs, runMain } from '@keepwatch/runtime';
import { startWorker } from './start-worker.js';
import { usage } from './usage.js';

runMain('keepwatch-worker', async () => {
  const args = parseProcessArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  const loaded = await loadConfig({ path: args.config, env: process.env });
  const logger = createLogger({ name: 'keepwatch-worker', level: loaded.config.log.level });
  const worker = await startWorker({ loaded, logger });
  onShutdownSignal({
    logger,
    // A backup in progress is allowed to finish: that is what the bound is for.
    timeoutMs: loaded.config.worker.shutdown_timeout,
    shutdown: () => worker.close(),
  });
});
