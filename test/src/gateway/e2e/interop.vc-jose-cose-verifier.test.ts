/**
 * A stranger's VC-JOSE-COSE verifier accepts Anxin's `vc+jwt` credentials, knowing nothing
 * but the credential: @transmute/verifiable-credentials checks the JWS against the key its
 * `kid` names (`<issuer url>#<key id>`), found in the controlled-identifier document the
 * issuer's URL serves, and the W3C VCDM 2.0 shape of the credential; it verifies the Bitstring
 * Status List credentials the entries name the same way, and @digitalbazaar/vc-bitstring-status-list
 * reads their bits. Nothing of the gateway's code is used to verify.
 *
 * Not the library's own status check (its `validator`): version 0.3.3 decodes `encodedList`
 * as bare base64url, while Bitstring Status List v1.0 §2.1 makes it Multibase (a leading `u`),
 * as the gateway writes it and @digitalbazaar's reader expects; the library predates that.
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import * as transmute from '@transmute/verifiable-credentials';
import {
  TestGateway,
  alterJwsPayload,
  decodeBitstring,
  decodeJws,
  describeOnLedgers,
  fetchPublic,
  type RegisteredIssuer,
} from '../../helpers/gateway';

const VC_JWT = 'application/vc-ld+jwt';

interface VerificationMethod {
  id: string;
  controller: string;
  publicKeyJwk: Record<string, string>;
}

/**
 * The key a JWS's kid names, as Controlled Identifiers 1.0 says: fetch the document at the
 * kid without its fragment, take the verification method of that id, which the document must
 * list for assertions and the JWS's issuer must control.
 */
async function keyOfKid(jws: string): Promise<{ type: 'application/jwk+json'; content: Uint8Array }> {
  const { header, payload } = decodeJws(jws);
  const kid = header.kid as string;
  const res = await fetchPublic(kid.slice(0, kid.indexOf('#')), 'application/cid, application/json');
  const doc = (await res.json()) as { id: string; verificationMethod: VerificationMethod[]; assertionMethod: string[] };
  const issuer = payload.issuer as string | { id: string };
  expect(doc.id, 'the document is the issuer').to.equal(typeof issuer === 'string' ? issuer : issuer.id);
  const vm = doc.verificationMethod.find((m) => m.id === kid);
  expect(vm, `${kid} is a verification method`).to.not.equal(undefined);
  expect(doc.assertionMethod).to.include(kid);
  expect(vm!.controller).to.equal(doc.id);
  const jwk = { ...vm!.publicKeyJwk, alg: header.alg };
  return { type: 'application/jwk+json', content: new TextEncoder().encode(JSON.stringify(jwk)) };
}

/** What the library asks of the world: only keys, resolved from the kid of what it verifies. */
const resolver = {
  resolve: async (req: { content?: Uint8Array; purpose: string }) => {
    expect(req.purpose).to.equal('verification-material');
    return keyOfKid(new TextDecoder().decode(req.content));
  },
};

/** Verify a `vc+jwt` with the library; its claims. */
async function strangerVerifies(jwt: string): Promise<Record<string, unknown>> {
  expect(decodeJws(jwt).header.typ, 'VC-JOSE-COSE media type').to.equal('vc+jwt');
  const verifier = transmute.verifier({ resolver: resolver as never });
  return (await verifier.verify({ type: VC_JWT, content: new TextEncoder().encode(jwt) } as never)) as Record<
    string,
    unknown
  >;
}

interface StatusEntry {
  type: string;
  statusPurpose: string;
  statusListIndex: string;
  statusListCredential: string;
}

/** The bit of `entry`, from its list credential verified by the library and read by the independent reader. */
async function statusBit(issuer: string, entry: StatusEntry): Promise<boolean> {
  const list = await strangerVerifies(await (await fetchPublic(entry.statusListCredential)).text());
  expect(list.type).to.deep.equal(['VerifiableCredential', 'BitstringStatusListCredential']);
  expect(list.issuer, 'the list is the issuer’s own').to.equal(issuer);
  const subject = list.credentialSubject as { statusPurpose: string; encodedList: string };
  expect(subject.statusPurpose).to.equal(entry.statusPurpose);
  return (await decodeBitstring(subject.encodedList)).getStatus(Number(entry.statusListIndex));
}

describeOnLedgers('e2e: an independent VC-JOSE-COSE verifier (@transmute/verifiable-credentials)', function (ledger) {
  let gw: TestGateway;
  let clinic: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  it('verifies a vc+jwt with the key its kid names in the issuer’s controlled-identifier document', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const vc = await strangerVerifies(c.credential);
    expect(vc.type).to.deep.equal(['VerifiableCredential', 'HealthCertificate']);
    expect((vc.issuer as { id: string }).id).to.equal(`${gw.url}/issuers/${clinic.id.split(':').pop()}`);
  });

  it('refuses a vc+jwt whose payload was changed after signing', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const forged = alterJwsPayload(c.credential, (payload) => {
      payload.validUntil = '2099-01-01T00:00:00Z';
    });
    let error: unknown;
    await strangerVerifies(forged).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
  });

  it('sees a suspension, then a revocation, through the Bitstring Status Lists alone', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const vc = await strangerVerifies(c.credential);
    const issuer = (vc.issuer as { id: string }).id;
    const entries = (vc.credentialStatus as StatusEntry[]).filter((e) => e.type === 'BitstringStatusListEntry');
    const of = (purpose: string) => entries.find((e) => e.statusPurpose === purpose)!;
    expect(entries.map((e) => e.statusPurpose)).to.have.members(['revocation', 'suspension']);
    const read = async () => [await statusBit(issuer, of('revocation')), await statusBit(issuer, of('suspension'))];
    /** The bits the stranger reads, polled until `done` (the lists follow the ledger within seconds). */
    const until = async (done: (bits: boolean[]) => boolean) => {
      const t0 = Date.now();
      for (;;) {
        const got = await read();
        if (done(got) || Date.now() - t0 > 5_000) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect(await read(), '[revoked, suspended]').to.deep.equal([false, false]);
    expect((await gw.changeStatus(clinic.apiKey, c.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    expect(await until(([, suspended]) => suspended!)).to.deep.equal([false, true]);
    expect((await gw.changeStatus(clinic.apiKey, c.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    // Revoked is final: what the suspension bit then says does not matter to any verifier.
    const [revoked] = await until(([r]) => r!);
    expect(revoked, 'revoked').to.equal(true);
  });
});
