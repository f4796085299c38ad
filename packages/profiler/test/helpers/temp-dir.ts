import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory of this test file's own; `profiles` inside it does not exist yet. */
export async function makeTempDir(
  label: string,
): Promise<{ root: string; profiles: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `kw-profiler-${label}-`));
  return { root, profiles: join(root, 'profiles'), remove: () => rm(root, { recursive: true, force: true }) };
}
