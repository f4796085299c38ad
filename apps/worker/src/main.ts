import { loadConfig } from '@keepwatch/config';
import { createLogger, onShutdownSignal, parseProcessArgs, runMain } from '@keepwatch/runtime';
import { startWorker } from './start-worker.js';
import { usage } from './usage.js';

// An s3:// remote's AWS SDK warns on Node 20, through process.emitWarning (plain text on
// stderr), that its releases from 2027 need Node 22; every line this process writes is its own.
// The SDK's own switch, read when a client is made; the app sets it, packages receive.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runMain('keepwatch-worker', async () => {
  const args = parseProcessArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  const loaded = await loadConfig({ path: args.config, env: process.env });
  const logger = createLogger({ name: 'keepwatch-worker', level: loaded.config.log.level });
  const worker = await startWorker({ loaded, logger, env: process.env });
  onShutdownSignal({
    logger,
    // A backup in progress is allowed to finish: that is what the bound is for.
    timeoutMs: loaded.config.worker.shutdown_timeout,
    shutdown: () => worker.close(),
  });
});
