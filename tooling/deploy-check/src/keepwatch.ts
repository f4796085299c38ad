import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverMain, workerMain } from './paths.js';
import { type Service, startService } from './service.js';

/** An INI file's sections, as keepwatch reads it. */
export type IniSections = Record<string, Record<string, string | number | boolean>>;

export function iniText(sections: IniSections): string {
  return Object.entries(sections)
    .map(([section, keys]) =>
      [`[${section}]`, ...Object.entries(keys).map(([key, value]) => `${key} = ${value}`)].join('\n'),
    )
    .join('\n\n');
}

export interface KeepwatchProcess extends Service {
  readonly configFile: string;
}

/**
 * Runs the built server or worker (`apps/<kind>/dist/main.js`) as a real process with the INI
 * file written to `<dir>/keepwatch-<kind>.ini`; secrets go in `env` (KEEPWATCH_<SECTION>_<KEY>),
 * never in the file or on the command line. Resolves once the server answers
 * `/healthcheck/live`, or the worker has logged that it is ready.
 */
export async function startKeepwatch(
  kind: 'server' | 'worker',
  dir: string,
  sections: IniSections,
  secrets: Record<string, string> = {},
): Promise<KeepwatchProcess> {
  const configFile = join(dir, `keepwatch-${kind}.ini`);
  await writeFile(configFile, iniText(sections), { mode: 0o600 });
  const service = await startService(
    `keepwatch ${kind}`,
    process.execPath,
    [kind === 'server' ? serverMain : workerMain, '--config', configFile],
    {
      env: { ...process.env, ...secrets },
    },
  );
  const listen = String(sections.server?.listen ?? '127.0.0.1:8080');
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      service.assertRunning();
    } catch (error) {
      throw new Error(
        `keepwatch ${kind} did not start (is it built? pnpm --filter @keepwatch/${kind} build): ${(error as Error).message}`,
      );
    }
    if (kind === 'worker' && service.output().includes('"msg":"worker ready"')) break;
    if (kind === 'server') {
      const ok = await fetch(`http://${listen}/healthcheck/live`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`keepwatch ${kind} was not ready within 20 s: ${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...service, configFile };
}
