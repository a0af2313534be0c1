export * from './bodies';
export * from './registrar';
export * from './holder';
import {
  compromisedKeyRequestSchema,
  createApiKeyRequestSchema,
  createIssuerRequestSchema,
  issueCredentialRequestSchema,
  printableCardQuerySchema,
  rotateKeyRequestSchema,
  statusChangeRequestSchema,
  updateIssuerRequestSchema,
  verifyBatchRequestSchema,
  verifyRequestSchema,
  webhookRequestSchema,
} from './bodies';
import { rotateRegistrarRequestSchema } from './registrar';
import { expiringQuerySchema, holderReceiptsRequestSchema } from './holder';

/** Every HTTP API body schema, for registration with the shared ajv instance. */
export const API_SCHEMAS: readonly { $id: string }[] = [
  createIssuerRequestSchema,
  updateIssuerRequestSchema,
  rotateKeyRequestSchema,
  compromisedKeyRequestSchema,
  createApiKeyRequestSchema,
  issueCredentialRequestSchema,
  statusChangeRequestSchema,
  verifyRequestSchema,
  verifyBatchRequestSchema,
  printableCardQuerySchema,
  webhookRequestSchema,
  rotateRegistrarRequestSchema,
  holderReceiptsRequestSchema,
  expiringQuerySchema,
];
