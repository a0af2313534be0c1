/**
 * The `anxin` command line: the program, its commands, and the mapping of every outcome
 * to an exit code (0 everything holds, 1 a mismatch, 2 usage, connection or source errors).
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT, asCliError, errorDocument, outJson } from './common';
import { backupCommand } from './commands/backup';
import { cardCommand } from './commands/card';
import { exportCommand } from './commands/export';
import { historyCommand } from './commands/history';
import { inspectCommand } from './commands/inspect';
import { kekCommand } from './commands/kek';
import { replayCommand } from './commands/replay';
import { restoreCommand } from './commands/restore';
import { verifyCommand } from './commands/verify';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('anxin')
    .description(
      [
        "Anxin (安心) auditor tools: replay and check the whole ledger from block 0, inspect blocks, follow one credential, verify a credential offline, export blocks for an audit; the worker's work card (anxin card); and the operator's backup and restore of a data directory.",
        'Exit codes: 0 everything holds · 1 a mismatch (or: not verified, not found) · 2 usage, connection or source errors.',
      ].join('\n\n'),
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText(
      'after',
      `
Where blocks come from (every command): --data DIR (an embedded ledger's data directory, read-only,
fine while a gateway runs on it; default $ANXIN_DATA_DIR), --file FILE (an export), or
--fabric PROFILE (a Fabric peer: network.json, an ANXIN_FABRIC_* env file, or 'env').

Examples:
  $ anxin replay --data ./data --store ./data/store.sqlite
  $ anxin inspect block 7 --data ./data
  $ anxin history urn:uuid:5b1e0c1e-8f0a-4a53-9b0e-2a3c4d5e6f70 --data ./data
  $ anxin verify credential.jwt --data ./data
  $ anxin export --data ./data --out audit.anxblocks && anxin replay --file audit.anxblocks
  $ anxin card present health.sdjwt --key worker-key.jwk --disclose healthCertificate
  $ anxin backup --data ./data --out anxin.anxbackup && anxin restore anxin.anxbackup --data ./data2 --kek kek.key

Run anxin <command> --help for each command's options and examples.`,
    );
  for (const c of [
    replayCommand(),
    inspectCommand(),
    historyCommand(),
    verifyCommand(),
    exportCommand(),
    cardCommand(),
    kekCommand(),
    backupCommand(),
    restoreCommand(),
  ])
    program.addCommand(c);
  // Every command: usage errors exit 2 (commander's default is 1).
  const override = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Whether the command line asks for JSON (before a `--` that ends the options). */
function askedForJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** Run the CLI on `argv` (process.argv form); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return EXIT.USAGE;
  }
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with 0; a missing command, argument or option, or an unknown one, with 2.
      if (e.exitCode === 0) return EXIT.OK;
      if (askedForJson(argv)) outJson(errorDocument(new CliError(e.message, { code: 'USAGE', reason: e.code })));
      return EXIT.USAGE;
    }
    const err = asCliError(e);
    if (askedForJson(argv)) outJson(errorDocument(err));
    process.stderr.write(`anxin: ${err.message}\n`);
    if (process.env.ANXIN_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return err.exitCode;
  }
}
