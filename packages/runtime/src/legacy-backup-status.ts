import type { FamilyDeclarations } from '@keepwatch/metrics';
import { lastSuccessFamily } from './backup-status-metrics.js';

/**
 * Carries each configured source's last successful backup over from the hash keepwatch kept
 * before the backup status became families of the metrics store (`{<prefix>metrics}:backups`,
 * fields `<source>:last_success`), so that upgrading does not raise "never backed up"
 * (KeepwatchBackupMissing) until the next scheduled backup. The gauge keeps the larger value,
 * so doing this at every start changes nothing once a newer backup is recorded. The old
 * counters (failures, profile events) are not carried over: they start again from 0 once, a
 * counter reset, which Prometheus's rate() and increase() take as they take a restart.
 * Resolves how many sources it carried over.
 */
export async function carryOverLegacyBackupStatus(
  redis: { hgetall(key: string): Promise<Record<string, string>> },
  prefix: string,
  store: Pick<FamilyDeclarations, 'gauge'>,
  sources: readonly string[],
): Promise<number> {
  const fields = await redis.hgetall(`{${prefix}metrics}:backups`);
  const lastSuccess = store.gauge(lastSuccessFamily);
  let carried = 0;
  for (const source of sources) {
    const seconds = Number(fields[`${source}:last_success`]);
    if (!(seconds > 0)) continue;
    lastSuccess.set({ source }, seconds);
    carried++;
  }
  return carried;
}
