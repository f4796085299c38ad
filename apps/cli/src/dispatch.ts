import { parseArgs } from 'node:util';
import { loadConfig } from '@keepwatch/config';
import { UsageError } from '@keepwatch/runtime';
import type { Command, OptionSpec } from './command.js';
import { helpText } from './help.js';
import { interruptSignal } from './interrupt.js';
import { writeJson } from './output.js';
import { asUsageError, operandOf } from './usage-errors.js';

const globalOptions = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies OptionSpec;

export interface DispatchIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

/** Finds the command named by the leading words of argv, parses its options, runs it. */
export async function dispatch(argv: string[], commands: readonly Command[], io: DispatchIo): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w));

  if (!command) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || words[0] === 'help') {
      io.stdout.write(
        helpText(
          commands,
          words.filter((w) => w !== 'help'),
        ),
      );
      return 0;
    }
    const known = [...new Set(commands.map((c) => c.words.join(' ')))].join(', ');
    throw new UsageError(`unknown command "${words.join(' ') || argv.join(' ')}"; commands: ${known}`);
  }

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
    throw asUsageError(error);
  } finally {
    interrupt?.dispose();
  }
}
