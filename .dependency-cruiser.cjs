/**
 * keepwatch's dependency rules (docs/design.md): apps wire, packages receive.
 * Run by `pnpm lint` as `depcruise packages apps tooling`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'package-imports-app',
      severity: 'error',
      comment: 'A package never imports an app: apps wire packages together, not the other way round.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'package-imports-tooling',
      severity: 'error',
      comment: "A package's shipped code never imports tooling/ (tests and benchmarks may).",
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^tooling/' },
    },
    {
      name: 'only-runtime-imports-config',
      severity: 'error',
      comment: 'Only @keepwatch/runtime maps the config to options; other packages receive options.',
      from: { path: '^packages/', pathNot: '^packages/(runtime|config)/' },
      // The name too: a package that does not declare the dependency cannot resolve it, and an
      // unresolved import would otherwise slip past a rule on resolved paths.
      to: { path: '^(packages/config/|@keepwatch/config($|/))' },
    },
    {
      name: 'conventions-stands-alone',
      severity: 'error',
      comment:
        '@keepwatch/conventions holds the shapes config and the packages share; it imports only Node, so any package may import it.',
      from: { path: '^packages/conventions/src/' },
      to: { pathNot: '^packages/conventions/src/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, within a package or between packages.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|\\.turbo)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
};
