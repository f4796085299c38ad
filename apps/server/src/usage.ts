export const usage = `Usage: keepwatch-server [--config PATH]

Serves /healthcheck/ (readiness), /healthcheck/live (liveness), /metrics (when enabled) and the
admin API (when [server] admin_token is set).

Options:
  -c, --config PATH   INI config file (default: $KEEPWATCH_CONFIG; else defaults + environment)
  -h, --help          show this help

Every setting can be given as KEEPWATCH_<SECTION>_<KEY>; see the README's configuration reference.
SIGTERM or SIGINT shuts down gracefully: /healthcheck/ turns 503 at once, requests in flight finish.
`;
