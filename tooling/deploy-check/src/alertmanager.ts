import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { dump, load } from 'js-yaml';
import { alertmanagerExample, blackboxConfig } from './paths.js';
import { type Service, startService } from './service.js';

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

interface AlertmanagerConfig {
  route: Route;
  receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
}

/** Starts `cmd` on a free port and resolves once `readyPath` answers 200. */
async function startListening(
  name: string,
  command: string,
  args: (address: string) => string[],
  readyPath: string,
): Promise<Service & { address: string }> {
  const address = `127.0.0.1:${await freePort()}`;
  const service = await startService(name, command, args(address));
  const deadline = Date.now() + 15_000;
  for (;;) {
    service.assertRunning();
    const ok = await fetch(`http://${address}${readyPath}`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { ...service, address };
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`${name} was not ready within 15 s: ${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Debian's Alertmanager with deploy/alertmanager/alertmanager.yml as shipped, except that every
 * webhook goes to `webhookUrl/<receiver name>` and groups wait and repeat `groupTiming` (the
 * shipped 30 s / 5 min would outlast the test). Clustering is off: no port besides its own.
 */
export async function startAlertmanager(
  dir: string,
  webhookUrl: string,
  groupTiming: string,
): Promise<Service & { address: string }> {
  const config = load(await readFile(alertmanagerExample, 'utf8')) as AlertmanagerConfig;
  const shorten = (route: Route): void => {
    for (const key of ['group_wait', 'group_interval'] as const) if (route[key]) route[key] = groupTiming;
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) webhook.url = `${webhookUrl}/${receiver.name}`;
  }
  const file = join(dir, 'alertmanager.yml');
  await writeFile(file, dump(config));
  return startListening(
    'alertmanager',
    'prometheus-alertmanager',
    (address) => [
      `--config.file=${file}`,
      `--storage.path=${join(dir, 'alertmanager')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    '/-/ready',
  );
}

/** Debian's blackbox exporter with deploy/prometheus/blackbox.yml as shipped. */
export function startBlackboxExporter(): Promise<Service & { address: string }> {
  return startListening(
    'blackbox exporter',
    'prometheus-blackbox-exporter',
    (address) => [`--config.file=${blackboxConfig}`, `--web.listen-address=${address}`, '--log.level=warn'],
    '/-/healthy',
  );
}
