// zod/mini, which tsup bundles into dist (`bundle: ['zod']`): what the schemas use comes to
// about 52 kB per build format there (measured), where zod as a dependency puts 8 MB into every
// install. Each schema file imports `* as z from 'zod/mini'` itself, so that the bundler keeps
// only what it uses.
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini has no messages of its own: English, as the full zod gives, for each parse
 * (`schema.safeParse(value, english)`). A schema's own messages still win.
 */
export const english = { error: en().localeError };
