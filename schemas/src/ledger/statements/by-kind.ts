/** Every statement kind's schema and payload type, by kind. */
import {
  registerIssuerStatementSchema,
  updateIssuerStatementSchema,
  addKeyStatementSchema,
  retireKeyStatementSchema,
  revokeKeyStatementSchema,
  rotateRegistrarStatementSchema,
  type RegisterIssuerStatement,
  type UpdateIssuerStatement,
  type AddKeyStatement,
  type RetireKeyStatement,
  type RevokeKeyStatement,
  type RotateRegistrarStatement,
} from './registry';
import {
  anchorStatementSchema,
  revokeStatementSchema,
  suspendStatementSchema,
  reinstateStatementSchema,
  type AnchorStatement,
  type RevokeStatement,
  type SuspendStatement,
  type ReinstateStatement,
  type StatusStatement,
} from './credentials';

export type Statement =
  | RegisterIssuerStatement
  | UpdateIssuerStatement
  | AddKeyStatement
  | RetireKeyStatement
  | RevokeKeyStatement
  | RotateRegistrarStatement
  | AnchorStatement
  | StatusStatement;

/** The schema of each statement kind, by kind. */
export const STATEMENT_SCHEMAS = {
  registerIssuer: registerIssuerStatementSchema,
  updateIssuer: updateIssuerStatementSchema,
  addKey: addKeyStatementSchema,
  retireKey: retireKeyStatementSchema,
  revokeKey: revokeKeyStatementSchema,
  rotateRegistrar: rotateRegistrarStatementSchema,
  anchor: anchorStatementSchema,
  revoke: revokeStatementSchema,
  suspend: suspendStatementSchema,
  reinstate: reinstateStatementSchema,
} as const;

/** The payload type of each statement kind. */
export interface StatementByKind {
  registerIssuer: RegisterIssuerStatement;
  updateIssuer: UpdateIssuerStatement;
  addKey: AddKeyStatement;
  retireKey: RetireKeyStatement;
  revokeKey: RevokeKeyStatement;
  rotateRegistrar: RotateRegistrarStatement;
  anchor: AnchorStatement;
  revoke: RevokeStatement;
  suspend: SuspendStatement;
  reinstate: ReinstateStatement;
}
