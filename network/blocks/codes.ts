import { peer } from '@hyperledger/fabric-protos';

/** Fabric's transaction validation codes, by name (peer.TxValidationCode). */
export const TxValidationCode = peer.TxValidationCode;

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]),
);

/** The name of a validation code, e.g. 11 → 'MVCC_READ_CONFLICT'. */
export function validationCodeName(code: number): string {
  return NAMES[code] ?? `UNKNOWN_${code}`;
}
