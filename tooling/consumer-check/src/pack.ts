import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from './run.js';
import type { Manifest, WorkspacePackage } from './workspace.js';

export interface PackedPackage {
  name: string;
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** The package.json inside the tarball. */
  manifest: Manifest;
  /** The paths inside the tarball, without the leading `package/`. */
  files: string[];
}

/**
 * `pnpm pack` of each package into `destination`, as a publish would make it: workspace:*
 * replaced by versions, and the root .pnpmfile.cjs's beforePacking hook applied.
 */
export async function packPackages(
  packages: readonly WorkspacePackage[],
  destination: string,
): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const pkg of packages) {
    const before = new Set(await readdir(destination));
    await runOk('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.path, timeoutMs: 60_000 });
    const made = (await readdir(destination)).filter((name) => name.endsWith('.tgz') && !before.has(name));
    if (made.length !== 1) throw new Error(`pnpm pack in ${pkg.dir} made ${made.length} tarballs: ${made.join(', ')}`);
    const tarball = join(destination, made[0] as string);
    const listing = await runOk('tar', ['-tzf', tarball], { cwd: destination, timeoutMs: 30_000 });
    const manifestText = await runOk('tar', ['-xOzf', tarball, 'package/package.json'], {
      cwd: destination,
      timeoutMs: 30_000,
    });
    packed.push({
      name: pkg.manifest.name,
      tarball,
      manifest: JSON.parse(manifestText.stdout) as Manifest,
      files: listing.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.replace(/^package\//, '')),
    });
  }
  return packed;
}
