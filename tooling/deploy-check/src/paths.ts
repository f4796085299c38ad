import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's root, where `deploy/` and `docs/` live. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const deployPath = (...parts: string[]): string => join(repoRoot, 'deploy', ...parts);

export const rulesFile = deployPath('prometheus', 'rules.yml');
export const rulesTestFile = deployPath('prometheus', 'rules.test.yml');
export const prometheusExample = deployPath('prometheus', 'prometheus.yml');
export const blackboxConfig = deployPath('prometheus', 'blackbox.yml');
export const alertmanagerExample = deployPath('alertmanager', 'alertmanager.yml');
export const dashboardFile = deployPath('grafana', 'keepwatch-dashboard.json');
export const runbookFile = join(repoRoot, 'docs', 'runbook.md');

/** The built apps a test runs as real processes (turbo builds them before this package's tests). */
export const serverMain = join(repoRoot, 'apps', 'server', 'dist', 'main.js');
export const workerMain = join(repoRoot, 'apps', 'worker', 'dist', 'main.js');
export const cliMain = join(repoRoot, 'apps', 'cli', 'dist', 'main.js');
