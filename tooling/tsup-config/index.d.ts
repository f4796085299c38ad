import type { Options } from 'tsup';

// Re-exported so that a config file's inferred default export can be named through this package.
export type { Options };

export interface PackageOptions extends Options {
  /**
   * Packages built into dist rather than depended on (e.g. `['zod']` for zod/mini), each with
   * its licence in `dist/third-party/<name>/LICENSE`.
   * @defaultValue `[]`
   */
  bundle?: string[];
}

/**
 * A workspace package others import: its entries (`src/index.ts` unless told) as ESM and
 * CommonJS, each with type declarations.
 */
export declare function packageConfig(options?: PackageOptions): Options;
/** An app that is run, not imported: `src/main.ts`, no declarations. */
export declare function appConfig(options?: Options): Options;
