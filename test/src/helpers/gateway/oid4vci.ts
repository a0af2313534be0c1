/**
 * OpenID4VCI in the tests: an issuer's credential offer, made over HTTP, and a presentation
 * of a received credential signed by a wallet's DeviceKey (WebCrypto, possibly non-extractable).
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { CredentialType } from '@anxin/schemas';
import { signJws, type DeviceKey } from '@anxin/gateway/wallet/jws';
import type { TestGateway } from './test-gateway';
import { withoutCommitment } from './surgery';

/** What POST /v1/credential-offers answers. */
export interface Offer {
  offerId: string;
  credential_offer_uri: string;
  link: string;
  walletLink: string;
  txCode: string;
  expiresAt: string;
  qr: { svg: string; png: string };
}

/** The issuance body of the schemas' example of `type`, as an offer takes it (no format, no holder key). */
export function offerBody(gw: TestGateway, type: CredentialType, extra: Record<string, unknown> = {}) {
  return { ...gw.issueBody(type), ...extra };
}

/** POST /v1/credential-offers; expects 201. */
export async function makeOffer(
  gw: TestGateway,
  issuerKey: string,
  type: CredentialType,
  extra: Record<string, unknown> = {},
): Promise<Offer & { request: Record<string, unknown> }> {
  const request = offerBody(gw, type, extra);
  const res = await gw.api<Offer>('POST', '/v1/credential-offers', { key: issuerKey, body: request });
  expect(res.status, res.text).to.equal(201);
  return { ...res.body, request };
}

/** The path of a URL under the gateway (for gw.api). */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/**
 * A presentation of a received SD-JWT VC: every disclosure but the ledger commitment, and a
 * KB-JWT over it signed by the wallet's key, for `nonce` and `aud`.
 */
export async function presentWithDeviceKey(
  credential: string,
  key: DeviceKey,
  nonce: string,
  aud: string,
): Promise<string> {
  const presented = withoutCommitment(credential);
  const kb = await signJws(
    key,
    { typ: 'kb+jwt' },
    {
      iat: Math.floor(Date.now() / 1000),
      nonce,
      aud,
      sd_hash: createHash('sha256').update(presented).digest('base64url'),
    },
  );
  return `${presented}${kb}`;
}
