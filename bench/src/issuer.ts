/**
 * The one issuer every ledger benchmark uses: the registrar keys fixed, a health authority
 * registered, and anchor statements it signs ahead of time (signing is the issuer's work,
 * never inside a timed section).
 */
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import type { Ledger } from '@anxin/network';

/** Fix the registrar keys on a fresh ledger and register `issuerId`; returns the issuer's signer. */
export async function registerBenchIssuer(ledger: Ledger, issuerId: string): Promise<StatementSigner> {
  const reg = await generateKeyPair('ES256', { extractable: true });
  const regJwk = await exportJWK(reg.publicKey);
  const regKeyId = await calculateJwkThumbprint(regJwk);
  await ledger.submit('init', [
    JSON.stringify({ registrarKeys: [{ keyId: regKeyId, alg: 'ES256', publicJwk: regJwk }] }),
  ]);
  const iss = await generateKeyPair('ES256', { extractable: true });
  const issJwk = (await exportJWK(iss.publicKey)) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  const issKeyId = await calculateJwkThumbprint(issJwk);
  const registration = await signStatement(
    {
      kind: 'registerIssuer',
      iss: 'registrar',
      issuer: {
        id: issuerId,
        name: '基准测试疾控中心',
        kind: 'health_authority',
        uscc: '12510107MB1H27435B',
        allowedTypes: ['HealthCertificate'],
      },
      key: { keyId: issKeyId, alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', x: issJwk.x, y: issJwk.y } },
    },
    { kid: `registrar#${regKeyId}`, alg: 'ES256', privateKey: reg.privateKey },
  );
  await ledger.submit('registerIssuer', [registration]);
  return { kid: `${issuerId}#${issKeyId}`, alg: 'ES256', privateKey: iss.privateKey };
}

/** `n` anchor statements for distinct new credentials, signed by `signer` for `issuerId`. */
export async function signAnchors(signer: StatementSigner, issuerId: string, n: number): Promise<string[]> {
  const holderRef = createHash('sha256').update('bench holder').digest('base64url');
  const out: string[] = [];
  for (let at = 0; at < n; at += 256) {
    const chunk = Array.from({ length: Math.min(256, n - at) }, () => {
      const id = `urn:uuid:${randomUUID()}`;
      return signStatement(
        {
          kind: 'anchor',
          iss: issuerId,
          anchor: {
            id,
            type: 'HealthCertificate',
            kid: signer.kid,
            digest: createHash('sha256').update(id).digest('hex'),
            holderRef,
            validFrom: '2026-01-01T00:00:00Z',
            validUntil: '2027-01-01T00:00:00Z',
          },
        },
        signer,
      );
    });
    out.push(...(await Promise.all(chunk)));
  }
  return out;
}
