#!/usr/bin/env node
// Starts the keepwatch server and worker side by side with keepwatch.local.ini (or --config
// PATH), forwards SIGINT/SIGTERM to both, and stops the other when one exits: `pnpm start`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const configIndex = args.findIndex((a) => a === '--config' || a === '-c');
const config =
  configIndex >= 0 ? args[configIndex + 1] : (process.env.KEEPWATCH_CONFIG ?? join(root, 'keepwatch.local.ini'));
if (!existsSync(config)) {
  process.stderr.write(`start-local: config file ${config} not found\n`);
  process.exit(2);
}

const children = ['server', 'worker'].map((app) => {
  const child = spawn(process.execPath, [join(root, 'apps', app, 'dist', 'main.js'), '--config', config], {
    cwd: root,
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    child.exited = true;
    if (!stopping) {
      process.stderr.write(`start-local: ${app} exited (${signal ?? code}); stopping the rest\n`);
      process.exitCode = code || 1;
      stop('SIGTERM');
    }
    if (children.every((c) => c.exited)) process.exit(process.exitCode ?? 0);
  });
  return child;
});

let stopping = false;
function stop(signal) {
  stopping = true;
  for (const child of children) if (!child.exited) child.kill(signal);
}
process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.stderr.write(`start-local: server and worker starting with ${config}; Ctrl-C stops both\n`);
