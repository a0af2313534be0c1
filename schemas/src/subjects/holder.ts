/**
 * Who a credential is about. Personal data: it lives only inside the signed credential
 * and in the gateway's off-chain store. The ledger sees nothing of it but the salted
 * commitment `holderRef` (see ledger/common.ts).
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import { idNumber, personName } from './common';

export const holderIdentitySchema = {
  $id: schemaId('holder-identity'),
  title: 'Holder identity',
  description:
    'The person a credential is issued to. PERSONAL DATA: it lives only inside the signed credential ' +
    'and the off-chain store, and is NEVER written to the ledger; the ledger holds only holderRef, ' +
    'a salted commitment to it. Verifiers see it only when the holder discloses it.',
  type: 'object',
  properties: {
    name: personName,
    idNumber,
  },
  required: ['name', 'idNumber'],
  additionalProperties: false,
  examples: [
    { name: '张伟', idNumber: '510107199003078817' },
    { name: '阿依古丽·买买提', idNumber: '650102199506121628' },
    { name: '王秀英', idNumber: '11010519491231002X' },
  ],
} as const satisfies Schema;
export type HolderIdentity = Infer<typeof holderIdentitySchema>;
