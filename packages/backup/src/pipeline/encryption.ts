import type { PipelineStage } from './compression.js';
import { spawnTool, type ToolEnvironment } from './tool-process.js';

/**
 * Encryption runs as the `age` tool, like zstd: it streams in constant memory at native speed,
 * and a recipient or identity file is all it needs. Recipients are public keys, so passing them
 * as arguments exposes nothing; the identity is only ever a file path.
 */
export function encryptStage(
  agePath: string,
  recipients: readonly string[],
  env: ToolEnvironment | undefined,
): PipelineStage {
  const args = ['--encrypt'];
  for (const recipient of recipients) args.push('--recipient', recipient);
  return ageStage(agePath, args, env);
}

/** Identity files protected by a passphrase are not supported: age would prompt on a TTY. */
export function decryptStage(agePath: string, identityFile: string, env: ToolEnvironment | undefined): PipelineStage {
  return ageStage(agePath, ['--decrypt', '--identity', identityFile], env);
}

function ageStage(path: string, args: string[], env: ToolEnvironment | undefined): PipelineStage {
  const proc = spawnTool({ name: 'age', path, option: 'agePath' }, args, { env, stdin: 'pipe', stdout: 'pipe' });
  return {
    writable: proc.stdin!,
    readable: proc.stdout!,
    exited: proc.exited,
    abort: () => proc.kill(),
  };
}
