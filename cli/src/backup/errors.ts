/**
 * Why a backup cannot be made, or a backup file is refused. Stable: scripts and tests
 * branch on `problem`, never on the message.
 */
import { CliError, EXIT, asCliError, outJson, type CliErrorCode } from '../common';

export type BackupProblem =
  /** Not an Anxin backup file: no magic line, or a header that does not parse. */
  | 'BACKUP_FORMAT'
  /** A backup written by a later format version than this CLI reads. */
  | 'BACKUP_VERSION'
  /** The file ends before everything its manifest lists (cut short in transfer or on a full disk). */
  | 'BACKUP_TRUNCATED'
  /** The manifest does not match the digest the header gives, or does not parse, or names unsafe paths. */
  | 'BACKUP_MANIFEST'
  /** The file is encrypted and the passphrase is wrong (or none was given). */
  | 'BACKUP_PASSPHRASE'
  /** An encrypted chunk does not authenticate: the file was altered after it was written. */
  | 'BACKUP_DAMAGED'
  /** A file in the backup is not the one the manifest lists (size or SHA-256). */
  | 'BACKUP_FILE'
  /** A ledger block is not the one the manifest lists, or breaks the hash chain. */
  | 'BACKUP_BLOCK'
  /** The ledger, the store and the KEK in or given with the backup do not belong together. */
  | 'BACKUP_IDENTITY'
  /** The directory to restore into is not empty. */
  | 'RESTORE_TARGET'
  /** What to back up is not there, or not something this command backs up. */
  | 'BACKUP_SOURCE';

/** Where in the backup the problem is, when it is somewhere in particular. */
export interface ProblemAt {
  file?: string;
  block?: number;
  chunk?: number;
}

const CLI_CODE: Record<BackupProblem, CliErrorCode> = {
  BACKUP_FORMAT: 'DAMAGED',
  BACKUP_VERSION: 'INVALID_INPUT',
  BACKUP_TRUNCATED: 'DAMAGED',
  BACKUP_MANIFEST: 'DAMAGED',
  BACKUP_PASSPHRASE: 'INVALID_INPUT',
  BACKUP_DAMAGED: 'DAMAGED',
  BACKUP_FILE: 'DAMAGED',
  BACKUP_BLOCK: 'DAMAGED',
  BACKUP_IDENTITY: 'DAMAGED',
  RESTORE_TARGET: 'REFUSED',
  BACKUP_SOURCE: 'SOURCE',
};

/** A backup that cannot be made or a backup file refused: exit 1 when the file is damaged, else 2. */
export class BackupError extends CliError {
  constructor(
    readonly problem: BackupProblem,
    message: string,
    readonly at: ProblemAt = {},
  ) {
    const code = CLI_CODE[problem];
    super(message, { code, exitCode: code === 'DAMAGED' ? EXIT.MISMATCH : EXIT.USAGE });
    this.name = 'BackupError';
  }
}

/**
 * With --json, a refusal is JSON too: `{ ok: false, code, problem?, file? | block? | chunk?, message }`
 * on stdout, the message on stderr, and the exit code set.
 */
export function failJson(e: unknown): void {
  const err = asCliError(e);
  outJson({
    ok: false,
    code: err.code,
    ...(e instanceof BackupError ? { problem: e.problem, ...e.at } : {}),
    message: err.message,
  });
  process.stderr.write(`anxin: ${err.message}\n`);
  process.exitCode = err.exitCode;
}
