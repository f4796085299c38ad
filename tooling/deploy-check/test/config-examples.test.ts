import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerExample, blackboxConfig, prometheusExample, rulesFile } from '../src/paths.js';
import { run } from '../src/run.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kw-deploy-examples-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  basic_auth?: { username: string; password_file?: string; password?: string };
}

describe('example configurations in deploy/', () => {
  it('prometheus.yml passes promtool check config with the shipped rules, and scrapes job keepwatch with honor_labels and basic auth from a file', async () => {
    const config = load(await readFile(prometheusExample, 'utf8')) as {
      rule_files: string[];
      scrape_configs: ScrapeConfig[];
    };
    // The example names where the rules are installed; check it against the file in this repository.
    expect(config.rule_files).toEqual(['/etc/prometheus/keepwatch-rules.yml']);
    config.rule_files = [rulesFile];
    const copy = join(scratch, 'prometheus.yml');
    await writeFile(copy, dump(config));
    const result = await run('promtool', ['check', 'config', copy]);
    expect(result.stdout + result.stderr).toContain('is valid prometheus config file syntax');
    expect(result.code).toBe(0);

    const keepwatch = config.scrape_configs.find((job) => job.job_name === 'keepwatch');
    expect(keepwatch).toMatchObject({
      honor_labels: true,
      basic_auth: { username: 'prometheus', password_file: expect.any(String) },
    });
    expect(keepwatch?.basic_auth?.password).toBeUndefined();
    expect(config.scrape_configs.map((job) => job.job_name)).toContain('keepwatch-health');
  });

  it('alertmanager.yml passes amtool check-config', async () => {
    const result = await run('amtool', ['check-config', alertmanagerExample]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('blackbox.yml is a valid blackbox exporter configuration, without deprecation warnings', async () => {
    const result = await run('prometheus-blackbox-exporter', ['--config.check', `--config.file=${blackboxConfig}`]);
    const output = result.stdout + result.stderr;
    expect(output).toContain('Config file is ok');
    expect(output).not.toMatch(/level=(warn|error)/);
    expect(result.code).toBe(0);
  });
});
