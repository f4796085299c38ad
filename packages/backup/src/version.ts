import { createRequire } from 'node:module';

// `../package.json` is the package's own file both from src/ (tests) and from dist/ (built),
// and it ships with every install, so the version recorded in manifests is always the real one.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `@keepwatch/backup` version that wrote a manifest. */
export const keepwatchVersion: string = pkg.version;
