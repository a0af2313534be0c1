export * from './common';
export * from './records';
export * from './statements';
import { anchorRecordSchema, issuerKeyRecordSchema, issuerRecordSchema, registrarRecordSchema } from './records';
import { STATEMENT_SCHEMAS, initArgsSchema, statementHeaderSchema } from './statements';

/** Every ledger schema, for registration with the shared ajv instance. */
export const LEDGER_SCHEMAS = [
  issuerKeyRecordSchema,
  issuerRecordSchema,
  anchorRecordSchema,
  registrarRecordSchema,
  statementHeaderSchema,
  initArgsSchema,
  ...Object.values(STATEMENT_SCHEMAS),
] as const;
export * from './validity';
export * from './status-entry';
