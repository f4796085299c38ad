#!/usr/bin/env node
// `pnpm lint`: the formatter and linter (Biome) and the dependency rules (dependency-cruiser) over
// the whole tree. Both always run, so one report shows every broken rule; exit 1 if either failed.
import { spawnSync } from 'node:child_process';

const steps = [
  ['biome', ['ci', '--error-on-warnings', '.']],
  ['depcruise', ['packages', 'apps', 'tooling', 'scripts', '--config', '.dependency-cruiser.cjs']],
];
let failed = false;
for (const [command, args] of steps) {
  const run = spawnSync(command, args, { stdio: 'inherit' });
  if (run.error) throw run.error;
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
