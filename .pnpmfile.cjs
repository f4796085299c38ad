// pnpm's hooks for this workspace.
//
// beforePacking shapes the package.json that `pnpm pack` and `pnpm publish` put in a tarball
// (pnpm has already replaced `workspace:*` with versions):
// - devDependencies go: a consumer never installs them, and they name private tooling packages
//   (@keepwatch/tsup-config, @keepwatch/test-support…) that are not on any registry;
// - the `source` condition of `exports` goes: it points into src/, which is not published, and
//   serves only the workspace's dependency rules (.dependency-cruiser.cjs).
// tooling/consumer-check/test/consumer.test.ts checks the packed manifests.

function withoutSource(value) {
  if (Array.isArray(value)) return value.map(withoutSource);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'source')
      .map(([key, inner]) => [key, withoutSource(inner)]),
  );
}

function beforePacking(pkg) {
  const { devDependencies, ...published } = pkg;
  if (published.exports !== undefined) published.exports = withoutSource(published.exports);
  return published;
}

module.exports = { hooks: { beforePacking } };
