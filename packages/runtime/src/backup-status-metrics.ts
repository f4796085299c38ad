import type { KeepwatchConfig } from '@keepwatch/config';
import type { FamilyDeclarations, GaugeOptions } from '@keepwatch/metrics';
import { runnableBackupSources } from './backup-repository-from-config.js';

/** What a finished backup reports; a subset of a manifest. */
export interface BackupOutcome {
  source: string;
  startedAt: string;
  finishedAt: string;
  storedBytes: number;
}

/** The recorder of backup outcomes; see {@link createBackupStatusRecorder}. */
export interface BackupStatusRecorder {
  /** Records a successful backup; false (nothing recorded) for a source that is not configured. */
  success(outcome: BackupOutcome): boolean;
  /** Counts a failed attempt; false (nothing recorded) for a source that is not configured. */
  failure(source: string): boolean;
}

// Fleet-wide values: the last success outlives the worker that made it. `max`, so that a success
// reported late (or the 0 a starting process sets) never moves the time back.
export const lastSuccessFamily: GaugeOptions = {
  name: 'keepwatch_backup_last_success_timestamp_seconds',
  help: 'When the last successful backup of the source finished (Unix time); 0 until its first one.',
  labelNames: ['source'],
  aggregate: 'max',
  perProcess: false,
};

const lastSizeFamily: GaugeOptions = {
  name: 'keepwatch_backup_last_size_bytes',
  help: 'Stored size of the last successful backup of the source.',
  labelNames: ['source'],
  aggregate: 'last',
  perProcess: false,
};

const lastDurationFamily: GaugeOptions = {
  name: 'keepwatch_backup_last_duration_seconds',
  help: 'How long the last successful backup of the source took.',
  labelNames: ['source'],
  aggregate: 'last',
  perProcess: false,
};

/**
 * Records backup outcomes, whichever process ran the backup (a worker, `keepwatch backup run`),
 * as families of the metrics store, so that "no successful backup for 26 hours" is one alert
 * rule on `keepwatch_backup_last_success_timestamp_seconds`.
 *
 * Every configured source is shown from the start: its last success at 0 until the first one
 * (so the alert fires for a source never backed up) and its failures at 0 (so that increase()
 * sees the first failure). Only configured sources are recorded: every series is a series on
 * every scrape, for good, so a job naming a made-up source (a stale producer, a hand-made job)
 * must not add one.
 */
export function createBackupStatusRecorder(
  store: Pick<FamilyDeclarations, 'counter' | 'gauge'>,
  sources: readonly string[],
): BackupStatusRecorder {
  const known = new Set(sources);
  const lastSuccess = store.gauge(lastSuccessFamily);
  const lastSize = store.gauge(lastSizeFamily);
  const lastDuration = store.gauge(lastDurationFamily);
  const failures = store.counter({
    name: 'keepwatch_backup_failures_total',
    help: 'Failed backup attempts of the source.',
    labelNames: ['source'],
  });
  for (const source of sources) {
    lastSuccess.set({ source }, 0);
    failures.inc({ source }, 0);
  }
  return {
    success(outcome) {
      const { source } = outcome;
      if (!known.has(source)) return false;
      const finished = Date.parse(outcome.finishedAt);
      lastSuccess.set({ source }, finished / 1000);
      lastSize.set({ source }, outcome.storedBytes);
      lastDuration.set({ source }, (finished - Date.parse(outcome.startedAt)) / 1000);
      return true;
    },
    failure(source) {
      if (!known.has(source)) return false;
      failures.inc({ source });
      return true;
    },
  };
}

/**
 * The recorder for the sources the backup repository can run (`database` with a URL, `data`
 * always): a `database` without its URL shows no last success of 0 forever.
 */
export function backupStatusFromConfig(
  config: Readonly<KeepwatchConfig>,
  store: Pick<FamilyDeclarations, 'counter' | 'gauge'>,
): BackupStatusRecorder {
  return createBackupStatusRecorder(store, runnableBackupSources(config));
}
