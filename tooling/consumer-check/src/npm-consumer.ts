import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from './run.js';

export interface ConsumerInstall {
  /** The consumer project's directory (outside the workspace). */
  dir: string;
  /** How long `npm install` took, in ms. */
  installMs: number;
}

/**
 * A fresh project outside the workspace with the tarballs and `thirdParty` installed by plain
 * npm, as another team would (`--prefer-offline`: third-party packages come from npm's cache
 * when it has them, else from the registry). The fixture files are copied in.
 */
export async function installConsumer(
  dir: string,
  tarballs: readonly string[],
  thirdParty: readonly string[],
  fixtures: string,
): Promise<ConsumerInstall> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'kw-consumer', private: true }, null, 2)}\n`);
  await cp(fixtures, dir, { recursive: true });
  const started = Date.now();
  await runOk(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...thirdParty],
    // npm reads npm_config_* from the environment: pnpm, which runs the tests, sets some of its own.
    { cwd: dir, env: withoutNpmConfig(process.env), timeoutMs: 240_000 },
  );
  return { dir, installMs: Date.now() - started };
}

function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}
