/**
 * Entry point of `xaiqc`: dispatches to one command and turns every failure into one
 * line `xaiqc <command>: CODE: message` on stderr with a documented exit status.
 */
import { ioError, isXqcError, runtimeVersions } from '@xai-qc/core';
import type { XqcError } from '@xai-qc/core';
import type { CliIO, Command } from './command.ts';
import { EXIT, UsageError, parse } from './command.ts';
import { adminCommand } from './commands/admin.ts';
import { askCommand } from './commands/ask.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { dataCommand } from './commands/data.ts';
import { driftCommand } from './commands/drift.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { explainCommand } from './commands/explain.ts';
import { gradCommand } from './commands/grad.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { trainCommand } from './commands/train.ts';
import { uncertaintyCommand } from './commands/uncertainty.ts';
import { workerCommand } from './commands/worker.ts';
import { codeVersion, packageVersion } from './version.ts';

/** Every command, in the order `--help` lists them. A new command is one import and one entry here. */
export const COMMANDS: readonly Command[] = [
  runCommand,
  gradCommand,
  dataCommand,
  trainCommand,
  evaluateCommand,
  explainCommand,
  calibrateCommand,
  uncertaintyCommand,
  askCommand,
  driftCommand,
  adminCommand,
  serveCommand,
  workerCommand,
];

const consoleIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`), progress: process.stderr };

/** What `xaiqc --help` prints: commands, output and error conventions, exit statuses. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: xaiqc <command> [options]',
    '       xaiqc help <command>',
    '       xaiqc --version',
    '',
    'XAI-QC: explainable visual quality control on ONNX models.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `xaiqc help <command>` (or `xaiqc <command> --help`) for the options of one command.',
    '',
    'Conventions:',
    '  stdout   results only (JSON with --json where a command offers it)',
    '  stderr   progress of long work (a bar on a terminal, JSON lines otherwise), and',
    '           failures, each one line: `xaiqc <command>: CODE: message`. CODE is stable:',
    '           XQC_USAGE for a bad command line, XQC_IO for a file that cannot be read or',
    '           written (with its path and the reason), XQC_MODEL_INVALID, XQC_DATASET_INVALID...',
    '  files    written atomically (temporary file, then rename); a failed command leaves',
    '           no half-written file behind',
    '',
    'Exit status:',
    `  ${EXIT.ok}  success`,
    `  ${EXIT.failure}  failure: the input or the work failed (the CODE says why)`,
    `  ${EXIT.usage}  usage error: unknown command or option, missing or malformed value`,
  ].join('\n');
}

/** `xaiqc <version> (commit <sha>, onnxruntime <version>, node <version>)`. */
export function versionLine(): string {
  const commit = codeVersion();
  const parts = [/^[0-9a-f]{40}$/.test(commit) ? `commit ${commit.slice(0, 12)}` : undefined, `onnxruntime-node ${runtimeVersions().node ?? 'unknown'}`, `node ${process.versions.node}`];
  return `xaiqc ${packageVersion()} (${parts.filter(Boolean).join(', ')})`;
}

/** A Node.js system error (`ENOENT`, `EACCES`, ...) as raised by `node:fs`. */
interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as SystemError).code === 'string' && /^E[A-Z0-9]+$/.test((e as SystemError).code) && typeof (e as SystemError).syscall === 'string';
}

const ACTION_OF_SYSCALL: Record<string, string> = {
  open: 'open', read: 'read', write: 'write', close: 'close', mkdir: 'create', rmdir: 'remove', rm: 'remove', unlink: 'remove',
  rename: 'rename', scandir: 'list', opendir: 'list', stat: 'read', lstat: 'read', access: 'read', copyfile: 'copy', mkdtemp: 'create',
};

/** The coded form of a failure: XqcErrors as they are, file system errors as XQC_IO with the path and the reason; else undefined. */
export function codedError(e: unknown): XqcError | UsageError | undefined {
  if (e instanceof UsageError || isXqcError(e)) return e;
  if (isSystemError(e)) {
    const path = e.dest ? `${e.path ?? ''} -> ${e.dest}` : (e.path ?? '(no path given)');
    return ioError(ACTION_OF_SYSCALL[e.syscall ?? ''] ?? e.syscall ?? 'access', path, e);
  }
  return undefined;
}

/** Prints `e` as one line and returns the exit status it means. */
function report(prefix: string, e: unknown, io: CliIO): number {
  const coded = codedError(e);
  if (coded) {
    const hint = coded instanceof UsageError && !coded.message.includes('see xaiqc') ? ` (see ${prefix} --help)` : '';
    io.err(`${prefix}: ${coded.toLine()}${hint}`);
    return coded instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
  io.err(`${prefix}: internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}`);
  return EXIT.failure;
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see xaiqc --help)`);
  return cmd;
}

/** Runs the CLI with `argv` (without node and script); returns the exit status (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(overview());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(versionLine());
    return EXIT.ok;
  }
  let cmd: Command;
  try {
    if (name === 'help') {
      if (rest.length > 1) throw new UsageError(`help takes one command name, got ${rest.length}`);
      io.out(rest.length ? findCommand(rest[0]).help : overview());
      return EXIT.ok;
    }
    if (name.startsWith('-')) throw new UsageError(`unknown option '${name}' (xaiqc takes --help or --version before a command)`);
    cmd = findCommand(name);
  } catch (e) {
    return report('xaiqc', e, io);
  }
  try {
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      io.out(cmd.help);
      return EXIT.ok;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    return report(`xaiqc ${cmd.name}`, e, io);
  }
}
