import type { Command } from '../command.js';
import { backupList } from './backup-list.js';
import { backupPrune } from './backup-prune.js';
import { backupRestore } from './backup-restore.js';
import { backupRun } from './backup-run.js';
import { backupVerify } from './backup-verify.js';
import { configCheck } from './config-check.js';
import { health } from './health.js';
import { profilesList, profilesTop } from './profiles.js';

/** Every command of `keepwatch`, in help order. */
export const commands: readonly Command[] = [
  configCheck,
  health,
  backupRun,
  backupList,
  backupRestore,
  backupVerify,
  backupPrune,
  profilesList,
  profilesTop,
];
