import { runMain } from '@keepwatch/runtime/main';
import { commands } from './commands/index.js';
import { dispatch } from './dispatch.js';

runMain('keepwatch', () =>
  dispatch(process.argv.slice(2), commands, { stdout: process.stdout, stderr: process.stderr, env: process.env }),
);
