/** Where a setting's value came from, so an error can send a person to the right line. */
export type ConfigOrigin =
  | { kind: 'file'; path: string; line: number }
  | { kind: 'env'; name: string }
  | { kind: 'default' };

/** One wrong setting. */
export interface ConfigProblem {
  /** `section.key`, e.g. `metrics.enabled`; `section` alone for a whole-section problem. */
  key: string;
  origin: ConfigOrigin;
  message: string;
}

export function formatOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case 'file':
      return `${origin.path}:${origin.line}`;
    case 'env':
      return clip(origin.name, 80);
    case 'default':
      return 'default';
  }
}

/** `keepwatch.ini:12: [metrics] enabled: expected …` — one line a person can act on. */
export function formatProblem(problem: ConfigProblem): string {
  const [section, key] = problem.key.split('.', 2);
  const name = key === undefined ? `[${clip(section!)}]` : `[${clip(section!)}] ${clip(key)}`;
  return `${formatOrigin(problem.origin)}: ${name}: ${problem.message}`;
}

/**
 * A name taken from the input (a section, key or variable), fit to be echoed: at most 60
 * characters and no control characters. A 10 MB key was once printed back whole.
 */
export function clip(text: string, max = 60): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  const printable = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}
