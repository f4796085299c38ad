import { loadConfig } from '@keepwatch/config';
import { createLogger, onShutdownSignal, parseProcessArgs, runMain } from '@keepwatch/runtime';
import { startServer } from './start-server.js';
import { usage } from './usage.js';

runMain('keepwatch-server', async () => {
  const args = parseProcessArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  const { config } = await loadConfig({ path: args.config, env: process.env });
  const logger = createLogger({ name: 'keepwatch-server', level: config.log.level });
  const server = await startServer({ config, logger });
  onShutdownSignal({
    logger,
    // The server's own bound, plus time to flush and close clients after the last request.
    timeoutMs: config.server.shutdown_timeout + 5000,
    shutdown: () => server.close(),
  });
});
