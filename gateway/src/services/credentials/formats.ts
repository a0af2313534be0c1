/**
 * The two wire formats of an issued credential:
 *  - `vc+jwt`: VC-JOSE-COSE, the VC document as the payload of a compact JWS;
 *  - `dc+sd-jwt`: SD-JWT VC, every holder and subject member selectively disclosable,
 *    optionally bound to the holder's key (`cnf`), issued with @sd-jwt/sd-jwt-vc.
 * The anchored digest is SHA-256 of the compact JWS, or of the issuer-signed JWT of an
 * SD-JWT (the part before the first `~`).
 */
import { randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { signCompactJws } from '../../crypto/jws';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { SUBJECT_MEMBER } from '@anxin/schemas';
import { SD_JWT_TYP, VC_JWT_TYP, VCT_BASE, sdHasher } from '../../verify';
import type { VcDocument } from './build';

export function signVcJwt(vc: VcDocument, signer: StatementSigner): Promise<string> {
  return signCompactJws({ typ: VC_JWT_TYP, cty: 'vc' }, vc, signer);
}

/** A JWS signature as @sd-jwt wants it: base64url of the raw signature (r||s for ES256). */
export function rawSigner(signer: Pick<StatementSigner, 'alg' | 'privateKey'>) {
  const key = signer.privateKey as KeyObject;
  return async (data: string): Promise<string> =>
    (signer.alg === 'ES256'
      ? cryptoSign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, Buffer.from(data), key)
    ).toString('base64url');
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export async function issueSdJwt(
  vc: VcDocument,
  signer: StatementSigner,
  holderPublicJwk?: Record<string, string>,
): Promise<{ sdJwt: string; issuerJwt: string }> {
  const type = vc.type[1];
  const member = SUBJECT_MEMBER[type];
  const subject = vc.credentialSubject[member] as Record<string, unknown>;
  const holder = vc.credentialSubject.holder;
  const payload = {
    iss: vc.issuer.id,
    iat: Math.floor(Date.now() / 1000),
    nbf: seconds(vc.validFrom),
    ...(vc.validUntil ? { exp: seconds(vc.validUntil) } : {}),
    vct: `${VCT_BASE}${type}`,
    jti: vc.id,
    issuer_name: vc.issuer.name,
    credential_schema: vc.credentialSchema.id,
    status_uri: vc.credentialStatus.id,
    ...(holderPublicJwk ? { cnf: { jwk: holderPublicJwk } } : {}),
    holder: { ...holder },
    [member]: { ...subject },
  };
  const sd = new SDJwtVcInstance({
    signer: rawSigner(signer),
    signAlg: signer.alg,
    hasher: sdHasher,
    hashAlg: 'sha-256',
    saltGenerator: () => randomBytes(16).toString('base64url'),
  });
  const disclosureFrame = {
    holder: { _sd: Object.keys(holder) },
    [member]: { _sd: Object.keys(subject) },
  };
  const sdJwt = await sd.issue(payload as never, disclosureFrame as never, {
    header: { kid: signer.kid, typ: SD_JWT_TYP },
  });
  return { sdJwt, issuerJwt: sdJwt.slice(0, sdJwt.indexOf('~')) };
}
