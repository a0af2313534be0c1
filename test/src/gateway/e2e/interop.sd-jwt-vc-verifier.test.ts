/**
 * A stranger's SD-JWT VC verifier accepts Anxin's `dc+sd-jwt` credentials, knowing nothing but
 * the credential: @sd-jwt/sd-jwt-vc's SDJwtVcInstance, with the issuer's keys found as
 * draft-ietf-oauth-sd-jwt-vc says (JWT VC Issuer Metadata at `/.well-known/jwt-vc-issuer`
 * inserted between the host and the path of `iss`, fetched over HTTP), signatures checked by
 * node:crypto against those keys, the status fetched and read by the library itself from the
 * Token Status List the credential names, and the `vct` Type Metadata fetched and
 * schema-checked by the library. Nothing of the gateway's code is used to verify — but the
 * gateway issues with the same package, so a second SD-JWT library that shares no code with
 * it, @meeco/sd-jwt (no dependencies), verifies the same presentations and must unpack the
 * same claims, the status then read from the list by @sd-jwt/jwt-status-list.
 *
 * `vct#integrity` is W3C Subresource Integrity metadata (`sha256-<base64 digest>`, as the
 * draft's own examples show), but @sd-jwt/sd-jwt-vc 0.19.0 (and 0.20.0) compares it with a
 * hex digest and so refuses every correct value: the Type Metadata is fetched here by a
 * `vctFetcher` that checks the integrity as SRI says.
 */
import { createHash, createPublicKey, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { verifySDJWT } from '@meeco/sd-jwt';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import {
  TestGateway,
  alterJwsPayload,
  decodeJws,
  describeOnLedgers,
  fetchPublic,
  type RegisteredIssuer,
} from '../../helpers/gateway';

interface IssuerMetadata {
  issuer: string;
  jwks: { keys: Array<JsonWebKey & { kid: string; alg: string }> };
}

/** draft-ietf-oauth-sd-jwt-vc §5: the metadata of `iss` is at its origin + well-known + its path. */
function metadataUrl(iss: string): string {
  const u = new URL(iss);
  return `${u.origin}/.well-known/jwt-vc-issuer${u.pathname.replace(/\/$/, '')}`;
}

async function fetchMetadata(iss: string): Promise<IssuerMetadata> {
  const md = (await (await fetchPublic(metadataUrl(iss), 'application/json')).json()) as IssuerMetadata;
  // The draft: `issuer` MUST be identical to `iss`, else the metadata is rejected.
  expect(md.issuer, 'metadata issuer is the iss').to.equal(iss);
  return md;
}

/** Verify the JWS signing input `data` by `sig` against the key of the metadata its header's kid names. */
function verifierOf(md: IssuerMetadata) {
  return (data: string, sig: string): boolean => {
    const { header } = decodeJws(data);
    const jwk = md.jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk || jwk.alg !== header.alg) return false;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const signature = Buffer.from(sig, 'base64url');
    switch (header.alg) {
      case 'EdDSA':
      case 'Ed25519':
        return verifySignature(null, Buffer.from(data), key, signature);
      case 'ES256':
        return verifySignature('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, signature);
      default:
        return false;
    }
  };
}

/** Fetch `uri`, its bytes checked against SRI `integrity` (`<alg>-<base64 digest>`). */
async function vctFetcher(uri: string, integrity?: string): Promise<{ vct: string }> {
  const bytes = Buffer.from(await (await fetchPublic(uri)).arrayBuffer());
  expect(integrity, 'the credential pins its Type Metadata').to.match(/^sha256-[A-Za-z0-9+/]+=*$/);
  const [alg, digest] = integrity!.split('-') as [string, string];
  expect(createHash(alg).update(bytes).digest('base64'), 'vct#integrity').to.equal(digest);
  return JSON.parse(bytes.toString('utf8')) as { vct: string };
}

interface Verified {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  typeMetadata?: { mergedTypeMetadata: { vct: string; name?: string } };
}

/**
 * Verify `sdJwt` as a stranger would: resolve its `iss`, then let the library check the
 * signature, the disclosures, the status (fetched from the list the credential names) and
 * the Type Metadata. The status is returned, not judged: the list's value at the index.
 */
async function strangerVerifies(sdJwt: string): Promise<{ verified: Verified; status: number }> {
  const iss = decodeJws(sdJwt).payload.iss as string;
  const md = await fetchMetadata(iss);
  let status = -1;
  const sd = new SDJwtVcInstance({
    hasher: (data: string | ArrayBuffer, alg: string) =>
      createHash(alg.replace('-', ''))
        .update(typeof data === 'string' ? data : Buffer.from(data))
        .digest(),
    hashAlg: 'sha-256',
    verifier: verifierOf(md),
    loadTypeMetadataFormat: true,
    vctFetcher,
    statusValidator: async (s: number) => {
      status = s;
    },
  });
  const verified = (await sd.verify(sdJwt)) as unknown as Verified;
  return { verified, status };
}

/**
 * The same with @meeco/sd-jwt: the issuer's signature and the disclosures by the library, the
 * list's signature by the issuer's keys, its status at the index by @sd-jwt/jwt-status-list.
 */
async function secondStrangerVerifies(sdJwt: string): Promise<{ claims: Record<string, unknown>; status: number }> {
  const jws = sdJwt.split('~')[0]!;
  const iss = decodeJws(jws).payload.iss as string;
  const md = await fetchMetadata(iss);
  const verify = verifierOf(md);
  const signed = async (jwt: string) => {
    const [h, p, sig] = jwt.split('.');
    return verify(`${h}.${p}`, sig!);
  };
  const claims = (await verifySDJWT(
    sdJwt,
    signed,
    async () => (data: string) => createHash('sha256').update(data).digest('base64url'),
  )) as Record<string, unknown>;
  const ref = (claims.status as { status_list: { idx: number; uri: string } }).status_list;
  const list = await (await fetchPublic(ref.uri)).text();
  expect(await signed(list), 'the status list is signed by the credential’s issuer').to.equal(true);
  expect(decodeJws(list).payload.iss).to.equal(iss);
  return { claims, status: getListFromStatusListJWT(list).getStatus(ref.idx) };
}

describeOnLedgers('e2e: an independent SD-JWT VC verifier (@sd-jwt/sd-jwt-vc)', function (ledger) {
  let gw: TestGateway;
  let clinic: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  it('verifies a presentation: typ dc+sd-jwt, the vct and its Type Metadata, keys from the issuer metadata', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const { verified, status } = await strangerVerifies(c.presentation);
    expect(verified.header.typ).to.equal('dc+sd-jwt');
    expect(verified.payload.iss).to.equal(`${gw.url}/issuers/${clinic.id.split(':').pop()}`);
    expect(verified.payload.vct).to.equal(`${gw.url}/vct/v1/HealthCertificate`);
    expect(verified.typeMetadata?.mergedTypeMetadata.vct).to.equal(verified.payload.vct);
    expect(status, 'valid in the Token Status List').to.equal(0);
  });

  it('a second library sharing no code with the issuer (@meeco/sd-jwt) unpacks the same claims', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const first = await strangerVerifies(c.presentation);
    const second = await secondStrangerVerifies(c.presentation);
    const { _sd_alg: _a, ...claims } = second.claims;
    const { _sd_alg: _b, ...expected } = first.verified.payload;
    expect(claims).to.deep.equal(expected);
    expect(JSON.stringify(claims)).to.not.include('"_sd"');
    expect(second.status).to.equal(0);
  });

  it('refuses a presentation whose issuer signature does not hold', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const forged = alterJwsPayload(c.presentation, (payload) => {
      payload.exp = (payload.exp as number) + 86_400;
    });
    let error: unknown;
    await strangerVerifies(forged).catch((e: unknown) => (error = e));
    expect(error, 'a changed payload is refused').to.be.instanceOf(Error);
    error = undefined;
    await secondStrangerVerifies(forged).catch((e: unknown) => (error = e));
    expect(error, 'and by the second library').to.be.instanceOf(Error);
  });

  it('sees a suspension, then a revocation, through the Token Status List alone', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    expect((await strangerVerifies(c.presentation)).status).to.equal(0);

    /** The status the stranger reads, polled until `want` (the list follows the ledger within seconds). */
    const until = async (want: number) => {
      const t0 = Date.now();
      for (;;) {
        const { status } = await strangerVerifies(c.presentation);
        if (status === want || Date.now() - t0 > 5_000) return status;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect((await gw.changeStatus(clinic.apiKey, c.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    expect(await until(2), 'suspended (0x02)').to.equal(2);
    expect((await secondStrangerVerifies(c.presentation)).status, 'the second library reads the same').to.equal(2);
    expect((await gw.changeStatus(clinic.apiKey, c.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    expect(await until(1), 'revoked (0x01)').to.equal(1);
    expect((await secondStrangerVerifies(c.presentation)).status, 'the second library reads the same').to.equal(1);

    // With the library's own judgement (any status but 0 is refused), the credential is refused.
    const iss = decodeJws(c.presentation).payload.iss as string;
    const strict = new SDJwtVcInstance({
      hasher: (data: string | ArrayBuffer, alg: string) =>
        createHash(alg.replace('-', ''))
          .update(typeof data === 'string' ? data : Buffer.from(data))
          .digest(),
      hashAlg: 'sha-256',
      verifier: verifierOf(await fetchMetadata(iss)),
    });
    let error: unknown;
    await strict.verify(c.presentation).catch((e: unknown) => (error = e));
    expect(error, 'a revoked credential is refused').to.be.instanceOf(Error);
  });
});
