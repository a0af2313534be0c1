/**
 * Status lists seen by a stranger: each new credential points at its entry (Token Status
 * List for dc+sd-jwt, Bitstring Status List entries for vc+jwt), the lists are public,
 * cacheable and signed by the issuer's key, and a revocation and a suspension show through
 * the lists alone — read by readers that share no code with the gateway: the Bitstring list
 * by @digitalbazaar/vc-bitstring-status-list, the token list by @sd-jwt/jwt-status-list and by
 * the draft's own algorithm over node:zlib, signatures by jose against the issuer's keys from
 * the public registry.
 */
import { inflateSync } from 'node:zlib';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { STATUS_LIST_SIZE } from '@anxin/schemas';
import {
  TestGateway,
  decodeBitstring,
  describeOnLedgers,
  type Issued,
  type RegisteredIssuer,
} from '../../helpers/gateway';

/** A list's status of entry `idx`, read as draft-ietf-oauth-status-list §4.1 says (LSB first). */
function tokenStatusAt(lst: string, bits: number, idx: number): number {
  const bytes = inflateSync(Buffer.from(lst, 'base64url'));
  expect(bytes.length * 8, 'list size').to.equal(STATUS_LIST_SIZE * bits);
  const bit = idx * bits;
  return (bytes[bit >> 3]! >> (bit & 7)) & ((1 << bits) - 1);
}

interface Fetched {
  status: number;
  headers: Headers;
  body: string;
}
async function get(url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/**
 * Verify a list's signature as a stranger would: against the keys of the credential's issuer
 * (`issuerUrl`, its public URL) from its JWT VC Issuer Metadata, the list naming that issuer;
 * its payload.
 */
async function verifiedPayload(gw: TestGateway, issuerUrl: string, jwt: string): Promise<Record<string, unknown>> {
  const u = new URL(issuerUrl);
  const md = await gw.api('GET', `/.well-known/jwt-vc-issuer${u.pathname}`);
  const { kid } = decodeProtectedHeader(jwt);
  const key = (md.body.jwks.keys as Array<JWK & { kid: string; alg: string }>).find((k) => k.kid === kid);
  expect(key, `list signed with ${kid}, a key of ${issuerUrl}`).to.not.equal(undefined);
  await compactVerify(jwt, await importJWK(key!, key!.alg));
  const payload = decodeJwt(jwt) as Record<string, unknown>;
  expect(payload.iss ?? payload.issuer, 'the list names the issuer of the credential').to.equal(issuerUrl);
  return payload;
}

const payloadOf = (c: Issued) => decodeJwt(c.credential.split('~')[0]!) as Record<string, unknown>;

describeOnLedgers('e2e: status lists show revocation and suspension to a stranger', function (ledger) {
  let gw: TestGateway;
  let clinic: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());
  /** The issuer as its credentials name it. */
  const issuerUrl = () => `${gw.url}/issuers/${clinic.id.slice(clinic.id.lastIndexOf(':') + 1)}`;

  /** Poll `read` until it returns `want`; how long that took (ms), failing past `boundMs`. */
  async function within(boundMs: number, read: () => Promise<unknown>, want: unknown): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const got = await read();
      if (got === want) return Date.now() - t0;
      if (Date.now() - t0 > boundMs) expect(got, `still not ${String(want)} after ${boundMs} ms`).to.equal(want);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('vc+jwt: Bitstring Status List entries for revocation and suspension, beside the anchor', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const status = payloadOf(c).credentialStatus as Array<Record<string, string>>;
    expect(status).to.have.length(3);
    expect(status[0]!.type).to.equal('AnxinLedgerAnchor');
    expect(status.slice(1).map((e) => [e.type, e.statusPurpose])).to.deep.equal([
      ['BitstringStatusListEntry', 'revocation'],
      ['BitstringStatusListEntry', 'suspension'],
    ]);
    const [, rev, sus] = status;
    expect(rev!.statusListIndex).to.equal(sus!.statusListIndex);
    const idx = Number(rev!.statusListIndex);
    expect(idx).to.be.within(0, STATUS_LIST_SIZE - 1);

    // The list a stranger fetches: no API key, cacheable, signed by the issuer.
    const res = await get(rev!.statusListCredential!);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/vc\+jwt/);
    expect(res.headers.get('cache-control')).to.match(/^public, max-age=\d+$/);
    expect(res.headers.get('etag')).to.match(/^".+"$/);
    expect(decodeProtectedHeader(res.body).typ).to.equal('vc+jwt');
    const vc = await verifiedPayload(gw, issuerUrl(), res.body);
    expect(vc.type).to.deep.equal(['VerifiableCredential', 'BitstringStatusListCredential']);
    expect(vc.issuer).to.equal(issuerUrl());
    const subject = vc.credentialSubject as Record<string, string>;
    expect(subject).to.include({ type: 'BitstringStatusList', statusPurpose: 'revocation' });
    const list = await decodeBitstring(subject.encodedList!);
    expect(list.length).to.equal(STATUS_LIST_SIZE);
    expect(list.getStatus(idx)).to.equal(false);
  });

  it('dc+sd-jwt: status.status_list {idx, uri} names a statuslist+jwt with 2-bit statuses', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const ref = (payloadOf(c).status as { status_list: { idx: number; uri: string } }).status_list;
    expect(ref.idx).to.be.within(0, STATUS_LIST_SIZE - 1);
    const res = await get(ref.uri);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/statuslist\+jwt/);
    expect(decodeProtectedHeader(res.body).typ).to.equal('statuslist+jwt');
    const p = await verifiedPayload(gw, issuerUrl(), res.body);
    expect(p.sub).to.equal(ref.uri);
    expect(p.iat).to.be.a('number');
    expect(p.exp as number).to.be.greaterThan(p.iat as number);
    expect(p.ttl).to.be.a('number');
    const sl = p.status_list as { bits: number; lst: string };
    expect(sl.bits).to.equal(2);
    expect(tokenStatusAt(sl.lst, sl.bits, ref.idx)).to.equal(0);
  });

  it('a revocation and a suspension show through the lists alone, within seconds of committing', async () => {
    const jwt = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const sd = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const [, rev, sus] = payloadOf(jwt).credentialStatus as Array<Record<string, string>>;
    const jwtIdx = Number(rev!.statusListIndex);
    const ref = (payloadOf(sd).status as { status_list: { idx: number; uri: string } }).status_list;

    const bit = async (url: string) => {
      const vc = await verifiedPayload(gw, issuerUrl(), (await get(url)).body);
      return (await decodeBitstring((vc.credentialSubject as { encodedList: string }).encodedList)).getStatus(jwtIdx);
    };
    const token = async () => {
      const jwt = (await get(ref.uri)).body;
      const p = await verifiedPayload(gw, issuerUrl(), jwt);
      const sl = p.status_list as { bits: number; lst: string };
      const status = tokenStatusAt(sl.lst, sl.bits, ref.idx);
      expect(getListFromStatusListJWT(jwt).getStatus(ref.idx), '@sd-jwt/jwt-status-list reads the same').to.equal(
        status,
      );
      return status;
    };
    // Fetched once before, so that a list kept from before the change would show.
    expect(await bit(rev!.statusListCredential!)).to.equal(false);
    expect(await token()).to.equal(0);

    expect((await gw.changeStatus(clinic.apiKey, jwt.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    const revokedAfter = await within(5_000, () => bit(rev!.statusListCredential!), true);
    expect(await bit(sus!.statusListCredential!)).to.equal(false);

    expect((await gw.changeStatus(clinic.apiKey, sd.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    const suspendedAfter = await within(5_000, token, 2);
    expect(await bit(rev!.statusListCredential!)).to.equal(true);

    expect((await gw.changeStatus(clinic.apiKey, sd.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    await within(5_000, token, 1);
    console.log(`      status lists: revocation shown after ${revokedAfter} ms, suspension after ${suspendedAfter} ms`);
  });

  it('a conditional fetch of an unchanged list answers 304; after a change, 200 with a new ETag', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const { uri } = (payloadOf(c).status as { status_list: { uri: string } }).status_list;
    const first = await get(uri);
    const etag = first.headers.get('etag')!;
    expect((await get(uri, { 'if-none-match': etag })).status).to.equal(304);
    expect((await gw.changeStatus(clinic.apiKey, c.id, 'suspend', 'investigation')).status).to.equal(200);
    const after = await get(uri, { 'if-none-match': etag });
    expect(after.status).to.equal(200);
    expect(after.headers.get('etag')).to.not.equal(etag);
  });

  it('indices are random within one large list, never given twice', async () => {
    const indices: number[] = [];
    let list: string | undefined;
    for (let i = 0; i < 6; i++) {
      const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      const ref = (payloadOf(c).status as { status_list: { idx: number; uri: string } }).status_list;
      list ??= ref.uri;
      expect(ref.uri, 'one list fills before another opens').to.equal(list);
      indices.push(ref.idx);
    }
    expect(new Set(indices).size).to.equal(indices.length);
    // Not handed out in order: six consecutive issuances spread over the list.
    expect(Math.max(...indices) - Math.min(...indices)).to.be.greaterThan(1000);
  });

  it('an unknown list, or a purpose other than revocation and suspension, is 404', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const { uri } = (payloadOf(c).status as { status_list: { uri: string } }).status_list;
    const base = uri.slice(0, uri.lastIndexOf('/'));
    for (const url of [`${base}/AAAAAAAAAAAAAAAA`, `${uri}/refresh`, `${base}/..%2F..`]) {
      const res = await get(url);
      expect(res.status, url).to.equal(404);
    }
  });
});
