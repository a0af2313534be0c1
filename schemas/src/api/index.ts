export * from './bodies';
export * from './registrar';
export * from './presentation-requests';
export * from './offers';
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
import { createPresentationRequestSchema } from './presentation-requests';
import { createCredentialOfferRequestSchema, offerQrQuerySchema } from './offers';
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
  createPresentationRequestSchema,
  createCredentialOfferRequestSchema,
  offerQrQuerySchema,
  holderReceiptsRequestSchema,
  expiringQuerySchema,
];
