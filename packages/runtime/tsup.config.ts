import { packageConfig } from '@keepwatch/tsup-config';

// Beside the root entry (everything the apps share), two light ones for a command that needs
// little, as `keepwatch backup list` does (issue 18; about half its start-up went, see
// docs/benchmarks.md): `./main` (runMain, exit codes, UsageError) and `./backup` (config mapped
// to backup sources, destinations and the remote; the Redis lock is the root's only, as it loads
// @keepwatch/backup/bullmq with @keepwatch/jobs and zod). Neither loads ioredis, pg, mysql2, pino,
// prom-client or the health, metrics and profiler packages; the root entry re-exports the same
// code (one copy, in shared chunks, so their error classes are the root's).
export default packageConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/backup.ts'] });
