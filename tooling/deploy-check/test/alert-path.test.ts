import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAlertmanager, startBlackboxExporter } from '../src/alertmanager.js';
import { exampleScrapeConfigs, type Fleet, startFleet } from '../src/fleet.js';
import { rulesFile } from '../src/paths.js';
import { type Prometheus, startPrometheus } from '../src/prometheus.js';
import { shortenedRules } from '../src/rules.js';
import { type Notification, type WebhookReceiver, startWebhookReceiver } from '../src/webhook-receiver.js';

let fleet: Fleet | undefined;
let receiver: WebhookReceiver | undefined;
let prometheus: Prometheus;
let healthUrl: string;

const alertname = 'KeepwatchHealthCheckFailing';

/** The database behind the health check refuses every connection, as a database that is down does. */
async function breakDatabase(database: string): Promise<void> {
  await pgAdmin(async (c) => {
    await c.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    // Connections already open (the server's pool) would go on answering.
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
  });
}

async function mendDatabase(database: string): Promise<void> {
  await pgAdmin((c) => c.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`));
}

function received(status: 'firing' | 'resolved'): Array<Notification['alerts'][number] & { path: string }> {
  return receiver!.notifications.flatMap((notification) =>
    notification.alerts
      .filter((alert) => alert.labels.alertname === alertname && alert.status === status)
      .map((alert) => ({ ...alert, path: notification.path })),
  );
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  fleet = await startFleet({ name: 'alert-path' });
  healthUrl = `http://${fleet.address}/healthcheck/`;
  // One after the other, each handed to the fleet at once, so a failed start leaves nothing running.
  const blackbox = await startBlackboxExporter();
  fleet.services.push(blackbox);
  const alertmanager = await startAlertmanager(fleet.dir, receiver.url, '1s');
  fleet.services.push(alertmanager);
  // The shipped rules, with every for: at 2 s and evaluated every second; thresholds as shipped.
  const rules = join(fleet.dir, 'rules.yml');
  await writeFile(rules, shortenedRules(await readFile(rulesFile, 'utf8'), { for: '2s', interval: '1s' }));
  prometheus = await startPrometheus(fleet.dir, {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [rules],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
    scrape_configs: await exampleScrapeConfigs(fleet, blackbox.address),
  });
  fleet.services.push(prometheus);
}, 60_000);

afterAll(async () => {
  await fleet?.close();
  await receiver?.close();
});

describe('the alert path: keepwatch → blackbox exporter → Prometheus with the shipped rules → Alertmanager → webhook', () => {
  it('a database that goes down reaches the on-call webhook as KeepwatchHealthCheckFailing, and its mending as resolved', async () => {
    // Healthy first: the probe succeeds and /metrics is scraped, and nothing about health was sent.
    await vi.waitFor(
      async () => {
        const [probe] = await prometheus.vector(`probe_success{job="keepwatch-health", instance="${healthUrl}"}`);
        expect(probe?.value[1]).toBe('1');
        const [up] = await prometheus.vector('up{job="keepwatch"}');
        expect(up?.value[1]).toBe('1');
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(received('firing')).toEqual([]);

    await breakDatabase(fleet!.database);
    // About 4 s here: a probe a second, for: 2s, Alertmanager's group_wait of 1 s.
    const [firing] = await vi.waitFor(
      () => {
        const alerts = received('firing');
        expect(
          alerts,
          `a firing ${alertname} at the webhook; it got ${JSON.stringify(receiver!.notifications)}`,
        ).not.toEqual([]);
        return alerts;
      },
      { timeout: 30_000, interval: 200 },
    );
    // A critical alert, so the example routes it to the people on call.
    expect(firing!.path).toBe('/keepwatch-on-call');
    expect(firing!.labels).toMatchObject({
      alertname,
      severity: 'critical',
      job: 'keepwatch-health',
      instance: healthUrl,
    });
    expect(firing!.annotations).toMatchObject({
      summary: `keepwatch /healthcheck/ fails on ${healthUrl}`,
      runbook: 'docs/runbook.md#keepwatchhealthcheckfailing',
    });
    expect(firing!.annotations.description).toContain('its database, Redis or cache is failing');

    await mendDatabase(fleet!.database);
    const [resolved] = await vi.waitFor(
      () => {
        const alerts = received('resolved');
        expect(
          alerts,
          `a resolved ${alertname} at the webhook; it got ${JSON.stringify(receiver!.notifications)}`,
        ).not.toEqual([]);
        return alerts;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(resolved!.path).toBe('/keepwatch-on-call');
    expect(resolved!.labels).toMatchObject({ alertname, instance: healthUrl });
    expect(Date.parse(resolved!.endsAt)).toBeGreaterThanOrEqual(Date.parse(firing!.startsAt));
  }, 90_000);
});
