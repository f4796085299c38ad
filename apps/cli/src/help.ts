import type { Command } from './command.js';

export function helpText(commands: readonly Command[], prefix: string[]): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.words[i] === w));
  const list = (shown.length ? shown : commands).map((c) => {
    const head = [c.words.join(' '), c.args].filter(Boolean).join(' ');
    const options = Object.entries(c.options ?? {}).map(
      ([name, spec]) => `      --${name}${spec.type === 'string' ? ' VALUE' : ''}`,
    );
    return [`  keepwatch ${head}`, `      ${c.summary}`, ...options].join('\n');
  });
  return `Usage: keepwatch <command> [options]

Commands:
${list.join('\n')}

Options for every command:
  -c, --config PATH   INI config file (default: $KEEPWATCH_CONFIG; else defaults + environment)
      --json          machine-readable output on stdout
  -h, --help          help for a command

Exit codes: 0 done, 1 failed (or a check did not pass), 2 bad usage.
`;
}
