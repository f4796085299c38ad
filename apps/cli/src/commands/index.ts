import type { CommandEntry } from '../command.js';

/**
 * Every command of `keepwatch`, in help order, each loaded on first use: a command's module
 * brings what it needs (bullmq, ioredis, pg, pino…), and the start-up of another must not pay
 * for it.
 */
export const commands: readonly CommandEntry[] = [
  { words: ['config', 'check'], load: async () => (await import('./config-check.js')).configCheck },
  { words: ['health'], load: async () => (await import('./health.js')).health },
  { words: ['backup', 'run'], load: async () => (await import('./backup-run.js')).backupRun },
  { words: ['backup', 'list'], load: async () => (await import('./backup-list.js')).backupList },
  { words: ['backup', 'restore'], load: async () => (await import('./backup-restore.js')).backupRestore },
  { words: ['backup', 'verify'], load: async () => (await import('./backup-verify.js')).backupVerify },
  { words: ['backup', 'prune'], load: async () => (await import('./backup-prune.js')).backupPrune },
  { words: ['profiles', 'list'], load: async () => (await import('./profiles.js')).profilesList },
  { words: ['profiles', 'top'], load: async () => (await import('./profiles.js')).profilesTop },
];
