export const usage = `Usage: keepwatch-worker [--config PATH]

Runs keepwatch's jobs (backups, maintenance) from BullMQ queues in Redis ([redis] url is required).
Run as many workers as you like: each job runs once, scheduled jobs once per tick.

Options:
  -c, --config PATH   INI config file (default: $KEEPWATCH_CONFIG; else defaults + environment)
  -h, --help          show this help

SIGTERM or SIGINT stops taking jobs and waits for the running ones ([worker] shutdown_timeout).
`;
