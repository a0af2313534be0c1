/**
 * @anxin/cli as a library: the replay engine and its sources, for tests and benchmarks.
 * The `anxin` executable is ./bin.
 */
export {
  replay,
  ReplayUsageError,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySummary,
  type ReplayUsageErrorCode,
} from './replay/engine';
export { describe, FINDING_KINDS, type Finding, type FindingKind } from './replay/findings';
export {
  dataDirSource,
  fileSource,
  ledgerSource,
  readExport,
  EXPORT_MAGIC,
  SourceError,
  SourceOpenError,
  type SourceErrorCode,
  type SourceOpenErrorCode,
  type BlockSource,
  type ExportHeader,
  type RawBlock,
} from './replay/source';
export { lowS, verifySignature } from './replay/signatures';
export { CheckPool } from './replay/pool';
export { run, buildProgram, VERSION } from './program';
export { CliError, EXIT, asCliError, type CliErrorCode } from './common';
export { BackupError, type BackupProblem, type ProblemAt } from './backup/errors';
export { restoreBackup, type RestoreOptions, type RestoreResult } from './backup/restore';
export { takeSnapshot, type SnapshotPlan } from './backup/snapshot';
export type { Manifest, ManifestFile, BackupHeader } from './backup/format';
export { writeBackup } from './backup/write';
export { credentialHistory } from './commands/history';
