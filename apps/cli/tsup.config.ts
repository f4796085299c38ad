import { appConfig } from '@keepwatch/tsup-config';

// The `keepwatch` command: runnable straight from its bin link.
export default appConfig({ banner: { js: '#!/usr/bin/env node' } });
