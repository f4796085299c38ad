import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { dump } from 'js-yaml';
import { type Service, startService } from './service.js';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** The answer of `/api/v1/query`: the result, or Prometheus's error (a parse error, say). */
export type QueryAnswer = { ok: true; resultType: string; result: Sample[] } | { ok: false; error: string };

export interface Prometheus extends Service {
  readonly url: string;
  query(expr: string): Promise<QueryAnswer>;
  /** `query`, throwing on an error answer. */
  vector(expr: string): Promise<Sample[]>;
}

/** Asks a Prometheus server's instant-query API; an error answer (bad_data) is returned, not thrown. */
export async function instantQuery(url: string, expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
    signal: AbortSignal.timeout(5000),
  });
  const json = (await response.json()) as {
    status: string;
    data?: { resultType: string; result: Sample[] };
    error?: string;
  };
  if (json.status !== 'success' || !json.data) return { ok: false, error: json.error ?? `HTTP ${response.status}` };
  return { ok: true, resultType: json.data.resultType, result: json.data.result };
}

/**
 * Starts Debian's `prometheus` on a free loopback port with `config` (an object, written as
 * prometheus.yml into `dir`) and its TSDB in `dir`; resolves once it answers queries.
 */
export async function startPrometheus(dir: string, config: object): Promise<Prometheus> {
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, dump(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService('prometheus', 'prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const prometheus: Prometheus = {
    ...service,
    url,
    query: (expr) => instantQuery(url, expr),
    async vector(expr) {
      const answer = await instantQuery(url, expr);
      if (!answer.ok) throw new Error(`Prometheus cannot run ${expr}: ${answer.error}`);
      return answer.result;
    },
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    service.assertRunning();
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return prometheus;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`prometheus did not become ready within 15 s: ${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
