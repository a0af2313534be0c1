import { API_SCHEMAS } from './api';
import { CREDENTIAL_SCHEMAS } from './credentials';
import { LEDGER_SCHEMAS } from './ledger';
import { SUBJECT_SCHEMAS } from './subjects';

/** Every schema the project publishes, in registration order. */
export const ALL_SCHEMAS: readonly { $id: string }[] = [
  ...SUBJECT_SCHEMAS,
  ...CREDENTIAL_SCHEMAS,
  ...LEDGER_SCHEMAS,
  ...API_SCHEMAS,
];
