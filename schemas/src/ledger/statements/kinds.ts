/** The kinds of statement, the JWS type they travel as, and who may sign which. */
export const STATEMENT_TYP = 'anxin-statement+jwt';

export const STATEMENT_KINDS = [
  'registerIssuer',
  'updateIssuer',
  'addKey',
  'retireKey',
  'revokeKey',
  'rotateRegistrar',
  'anchor',
  'revoke',
  'suspend',
  'reinstate',
] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** Statement kinds only a registrar key may sign. */
export const REGISTRAR_KINDS = [
  'registerIssuer',
  'updateIssuer',
  'addKey',
  'retireKey',
  'revokeKey',
  'rotateRegistrar',
] as const;
/** Statement kinds only the credential's issuer may sign. */
export const ISSUER_KINDS_OF_STATEMENT = ['anchor', 'revoke', 'suspend', 'reinstate'] as const;
