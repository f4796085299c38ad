import { parseArgs } from 'node:util';
import { loadConfig } from '@keepwatch/config';
import { UsageError } from '@keepwatch/runtime/main';
import type { CommandEntry, OptionSpec } from './command.js';
import { helpText } from './help.js';
import { interruptSignal } from './interrupt.js';
import { writeJson } from './output.js';
import { asUsageError, operandOf } from './usage-errors.js';

const globalOptions = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies OptionSpec;

/** The global options that take a value as the next argument (`--config PATH`, `-c PATH`). */
const globalValueFlags = new Set(
  Object.entries(globalOptions).flatMap(([name, spec]) =>
    spec.type === 'string' ? [`--${name}`, ...('short' in spec ? [`-${spec.short}`] : [])] : [],
  ),
);
const globalFlags = new Set(
  Object.entries(globalOptions).flatMap(([name, spec]) => [
    `--${name}`,
    ...('short' in spec ? [`-${spec.short}`] : []),
  ]),
);

/**
 * The arguments that are not options, in order, for finding the command: the value of a global
 * option given before the command (`keepwatch --config X backup list`) is not a word of it.
 * Options after the words need no care here: the command matches on its leading words only.
 * `onlyGlobal`: every option given is a global one (`keepwatch --config X` alone shows the help).
 */
function commandWords(argv: readonly string[]): { words: string[]; onlyGlobal: boolean } {
  const words: string[] = [];
  let onlyGlobal = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (globalValueFlags.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
    else if (!globalFlags.has(arg.split('=', 1)[0]!) && !/^-c./.test(arg)) onlyGlobal = false;
  }
  return { words, onlyGlobal };
}

export interface DispatchIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

/**
 * Finds the command named by the leading words of argv, loads it (only it: the help alone loads
 * every command), parses its options, runs it.
 */
export async function dispatch(argv: string[], commands: readonly CommandEntry[], io: DispatchIo): Promise<number> {
  const { words, onlyGlobal } = commandWords(argv);
  const entry = [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w));

  if (!entry) {
    if ((words.length === 0 && onlyGlobal) || argv.includes('--help') || argv.includes('-h') || words[0] === 'help') {
      io.stdout.write(
        helpText(
          await Promise.all(commands.map((c) => c.load())),
          words.filter((w) => w !== 'help'),
        ),
      );
      return 0;
    }
    const known = [...new Set(commands.map((c) => c.words.join(' ')))].join(', ');
    throw new UsageError(`unknown command "${words.join(' ') || argv.join(' ')}"; commands: ${known}`);
  }
  const command = await entry.load();

  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command.words.join(' ')}: ${(error as Error).message}`);
  }
  if (parsed.values.help) {
    io.stdout.write(helpText([command], command.words as string[]));
    return 0;
  }
  const operand = operandOf(command, parsed.positionals.slice(command.words.length));
  const configPath = parsed.values.config as string | undefined;
  const json = Boolean(parsed.values.json);
  const interrupt = command.interruptible ? interruptSignal() : undefined;
  try {
    return await command.run({
      values: parsed.values,
      operand,
      loadConfig: () => loadConfig({ path: configPath, env: io.env }),
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: interrupt?.signal ?? new AbortController().signal,
      print: (value, human) => (json ? writeJson(io.stdout, value) : io.stdout.write(human(value))),
      fail: (message) => {
        io.stderr.write(`keepwatch: ${message}\n`);
        return 1;
      },
    });
  } catch (error) {
    throw await asUsageError(error);
  } finally {
    interrupt?.dispose();
  }
}
