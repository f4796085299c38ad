import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Dashboard, dashboardProblems, panelQueries, regexValue, variableValues } from '../src/dashboard.js';
import { exampleScrapeConfigs, type Fleet, startFleet } from '../src/fleet.js';
import { dashboardFile } from '../src/paths.js';
import { type Prometheus, startPrometheus } from '../src/prometheus.js';

// Not keepwatch's default, so a panel that hard-codes pretix_ finds nothing and fails.
const namespace = 'kwdash';
/**
 * Panels that show nothing while nothing is wrong, and why; every other panel must return a
 * finite value for a fleet that serves requests and has run backups.
 */
const mayBeEmpty = { '5xx share by route': 'no route has answered a 5xx' };

let fleet: Fleet | undefined;
let prometheus: Prometheus;
let dashboard: Dashboard;
let values: Record<string, string>;
let offered: Record<'namespace' | 'job' | 'instance', string[]>;
let traffic: NodeJS.Timeout | undefined;

async function request(path: string, init: RequestInit & { token?: string } = {}): Promise<number> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const response = await fetch(`http://${fleet!.address}${path}`, {
    ...init,
    headers,
    signal: AbortSignal.timeout(5000),
  });
  await response.arrayBuffer();
  return response.status;
}

async function value(expr: string): Promise<number | undefined> {
  const [sample] = await prometheus.vector(expr);
  return sample ? Number(sample.value[1]) : undefined;
}

/** Runs a database backup through the admin API and the worker, and waits until Prometheus has scraped its outcome. */
async function backUp(runs: number): Promise<void> {
  expect(
    await request('/api/backups', {
      method: 'POST',
      token: fleet!.adminToken,
      headers: { 'content-type': 'application/json' },
      body: '{"source":"database"}',
    }),
  ).toBe(202);
  await vi.waitFor(
    async () =>
      expect(await value(`sum(${namespace}_task_runs_total{task_name="backup", status="success"})`)).toBe(runs),
    { timeout: 20_000, interval: 250 },
  );
}

beforeAll(async () => {
  dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as Dashboard;
  fleet = await startFleet({
    name: 'dashboard',
    namespace,
    worker: true,
    settings: { metrics: { models_refresh: '1s' } },
  });
  prometheus = await startPrometheus(join(fleet.dir), {
    global: { scrape_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: await exampleScrapeConfigs(fleet),
  });
  fleet.services.push(prometheus);
  // A fleet at work: routes answering 200, 401 and 404 all through the test.
  traffic = setInterval(() => {
    void Promise.all([
      request('/api/backups', { token: fleet!.adminToken }),
      request('/api/backups'),
      request('/no/such/page'),
    ]).catch(() => undefined);
  }, 200);
  // Two backups, so that the task duration histogram has grown between two scrapes.
  await backUp(1);
  await backUp(2);
  await vi.waitFor(
    async () => {
      expect(await value(`count(${namespace}_model_instances)`)).toBeGreaterThan(0);
      expect(await value('count(process_start_time_seconds)')).toBe(2);
      expect(await value('count(nodejs_gc_duration_seconds_count)')).toBeGreaterThan(0);
    },
    { timeout: 20_000, interval: 250 },
  );

  // The variables as Grafana would fill them in, each from the one before.
  const variables = Object.fromEntries(dashboard.templating.list.map((variable) => [variable.name, variable]));
  const query = prometheus.query.bind(prometheus);
  offered = { namespace: await variableValues(variables.namespace!, {}, query), job: [], instance: [] };
  offered.job = await variableValues(variables.job!, { namespace: offered.namespace[0]! }, query);
  offered.instance = await variableValues(
    variables.instance!,
    { namespace: offered.namespace[0]!, job: offered.job[0]! },
    query,
  );
  values = {
    datasource: 'prometheus',
    namespace: offered.namespace[0]!,
    job: offered.job[0]!,
    instance: regexValue(offered.instance),
    // Grafana's $__rate_interval is at least four scrape intervals (here 1 s).
    __rate_interval: '1m',
    __interval: '15s',
    __range: '1h',
  };
}, 90_000);

afterAll(async () => {
  clearInterval(traffic);
  await fleet?.close();
});

describe('deploy/grafana/keepwatch-dashboard.json against a real Prometheus scraping a real fleet', () => {
  it('offers the fleet in its variables: the namespace, the job and both processes', () => {
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual([
      'datasource',
      'namespace',
      'job',
      'instance',
    ]);
    expect(offered.namespace).toEqual([namespace]);
    expect(offered.job).toEqual(['keepwatch']);
    expect(offered.instance).toHaveLength(2);
  });

  it('runs every panel query: each parses, and every panel but "5xx share by route" shows data', async () => {
    expect(panelQueries(dashboard).length).toBeGreaterThanOrEqual(25);
    expect(JSON.stringify(dashboard)).not.toContain('pretix_');
    expect(await dashboardProblems(dashboard, { query: (expr) => prometheus.query(expr), values, mayBeEmpty })).toEqual(
      [],
    );
  });

  it('fails on a broken expression, a misspelt series and an unknown variable, naming the panel', async () => {
    const broken = structuredClone(dashboard);
    const targetsOf = (title: string) => broken.panels.find((panel) => panel.title === title)!.targets!;
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: ${namespace} is Grafana's variable, not JavaScript's
    targetsOf('Requests by route')[0]!.expr =
      'sum by (url_name) (rate(${namespace}_view_requests_total{job="$job"}[$__rate_interval])';
    targetsOf('Jobs by queue and state')[0]!.expr = 'sum by (queue, state) (${namespace}_queue_job{job="$job"})';
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: -
    targetsOf('CPU')[0]!.expr = 'rate(process_cpu_seconds_total{job="$job", instance=~"$instances"}[$__rate_interval])';
    const problems = await dashboardProblems(broken, { query: (expr) => prometheus.query(expr), values, mayBeEmpty });
    expect(problems).toEqual([
      expect.stringMatching(/^panel "Requests by route" query A: .*parse error/),
      `panel "Jobs by queue and state" query A: no data for sum by (queue, state) (${namespace}_queue_job{job="keepwatch"})`,
      'panel "CPU" query A: unknown variable $instances',
    ]);
  });
});
