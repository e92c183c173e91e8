/** Entry point of `xaiqc`: dispatches to one command, prints errors on one line. */
import { isXqcError } from '@xai-qc/core';
import type { CliIO, Command } from './command.ts';
import { UsageError, parse } from './command.ts';
import { adminCommand } from './commands/admin.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { dataCommand } from './commands/data.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { explainCommand } from './commands/explain.ts';
import { gradCommand } from './commands/grad.ts';
import { runCommand } from './commands/run.ts';
import { trainCommand } from './commands/train.ts';
import { uncertaintyCommand } from './commands/uncertainty.ts';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [runCommand, gradCommand, dataCommand, trainCommand, evaluateCommand, explainCommand, calibrateCommand, uncertaintyCommand, adminCommand];

const consoleIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`), progress: process.stderr };

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: xaiqc <command> [options]',
    '',
    'XAI-QC: explainable visual quality control on ONNX models.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `xaiqc <command> --help` for the options of one command.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit status. */
export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`xaiqc: unknown command '${name}' (see xaiqc --help)`);
    return 2;
  }
  try {
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`xaiqc ${cmd.name}: ${e.message}`);
      return 2;
    }
    if (isXqcError(e)) {
      io.err(`xaiqc ${cmd.name}: ${e.toLine()}`);
      return 1;
    }
    io.err(`xaiqc ${cmd.name}: internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}`);
    return 1;
  }
}
