import { runMain } from '@keepwatch/runtime/main';
import { commands } from './commands/index.js';
import { dispatch } from './dispatch.js';

// An s3:// remote's AWS SDK warns on Node 20, through process.emitWarning (plain text on
// stderr), that its releases from 2027 need Node 22; every line this process writes is its own.
// The SDK's own switch, read when a client is made; the app sets it, packages receive.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runMain('keepwatch', () =>
  dispatch(process.argv.slice(2), commands, { stdout: process.stdout, stderr: process.stderr, env: process.env }),
);
