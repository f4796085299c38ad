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
      name: 'backup-core-receives',
      severity: 'error',
      comment:
        "@keepwatch/backup's core receives its lock, sources and settings: only its BullMQ entry (src/bullmq.ts, src/bullmq/) imports @keepwatch/config, @keepwatch/jobs, bullmq or ioredis, and the core does not import that entry.",
      from: { path: '^packages/backup/src/', pathNot: '^packages/backup/src/(bullmq[.]ts$|bullmq/)' },
      // Resolved or not (a type-only import of a package backup does not declare is unresolved).
      to: {
        path: [
          '^(packages/(config|jobs)/|@keepwatch/(config|jobs)($|/))',
          '(^|/node_modules/)(bullmq|ioredis)($|/)',
          '^packages/backup/src/(bullmq[.]ts$|bullmq/)',
        ],
      },
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
    // Only the workspace's own build output: a package in node_modules that ships its code in
    // dist/ (bullmq) is still seen as what it is, or no rule could name it.
    exclude: { path: '^(packages|apps|tooling)/[^/]+/(dist|coverage|\\.turbo)/' },
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
