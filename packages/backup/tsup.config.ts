import { packageConfig } from '@keepwatch/tsup-config';

// The BullMQ processor and the Redis source lock are their own entry (`@keepwatch/backup/bullmq`),
// so the core loads none of bullmq, ioredis or @keepwatch/jobs: it receives its lock, sources and
// destination, and a service without a queue needs none of them. zod/mini is built in (see
// src/zod-problems.ts).
export default packageConfig({ entry: ['src/index.ts', 'src/bullmq.ts'], bundle: ['zod'] });
