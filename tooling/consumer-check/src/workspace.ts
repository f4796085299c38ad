import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const rootDir = fileURLToPath(new URL('../../../', import.meta.url));

/** This package's directory (module resolution from here finds its devDependencies). */
export const checkDir = fileURLToPath(new URL('../', import.meta.url));

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string };
  type?: string;
  main?: string;
  module?: string;
  types?: string;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** `packages/<dir>` */
  dir: string;
  /** Absolute path of the package's directory. */
  path: string;
  manifest: Manifest;
}

function readPackages(group: 'packages' | 'apps' | 'tooling'): WorkspacePackage[] {
  return readdirSync(join(rootDir, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(rootDir, group, entry.name);
      try {
        const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as Manifest;
        return [{ dir: `${group}/${entry.name}`, path, manifest }];
      } catch {
        return []; // a folder without a package.json is not a package
      }
    });
}

/** Every package under `packages/`: what keepwatch publishes (found, not listed, so a new one is checked too). */
export function publishablePackages(): WorkspacePackage[] {
  return readPackages('packages').filter((pkg) => pkg.manifest.private !== true);
}

/** The names of the workspace's private packages (apps, tooling): never named by a published manifest. */
export function privatePackageNames(): Set<string> {
  const all = [...readPackages('packages'), ...readPackages('apps'), ...readPackages('tooling')];
  return new Set(all.filter((pkg) => pkg.manifest.private === true).map((pkg) => pkg.manifest.name));
}

/** The package names `names` depend on at run time, themselves included, within the workspace. */
export function workspaceClosure(names: readonly string[]): WorkspacePackage[] {
  const byName = new Map(publishablePackages().map((pkg) => [pkg.manifest.name, pkg]));
  const seen = new Map<string, WorkspacePackage>();
  const visit = (name: string) => {
    const pkg = byName.get(name);
    if (pkg === undefined || seen.has(name)) return;
    seen.set(name, pkg);
    for (const dependency of Object.keys(pkg.manifest.dependencies ?? {})) visit(dependency);
  };
  for (const name of names) visit(name);
  return [...seen.values()];
}
