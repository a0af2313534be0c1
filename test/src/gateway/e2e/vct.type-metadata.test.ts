/**
 * An SD-JWT VC's `vct` resolves: it is a URL of the gateway serving the type's SD-JWT VC
 * Type Metadata (no API key) — display names and every claim's label in zh-CN and en, the
 * JSON Schema of the payload — and the credential's `vct#integrity` is the SRI hash of
 * exactly the bytes served there. Anxin's JSON-LD context is served at the URL a vc+jwt
 * lists in its `@context`.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { CREDENTIAL_TYPES, SUBJECT_MEMBER, ajv, anxinContext, contextUrl, type CredentialType } from '@anxin/schemas';
import {
  TestGateway,
  decodeJws,
  describeOnLedgers,
  disclosuresOf,
  expectProblem,
  expectVerified,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';

/** The payload an SD-JWT shows with every disclosure applied (Anxin discloses the members of two objects). */
function fullPayload(sdJwt: string): Record<string, Loose> {
  const payload = decodeJws(sdJwt.split('~')[0]!).payload as Record<string, Loose>;
  const byDigest = new Map(
    disclosuresOf(sdJwt).map((d) => [createHash('sha256').update(d.encoded).digest('base64url'), d]),
  );
  const open = (o: Record<string, Loose>) => {
    const out: Record<string, Loose> = {};
    for (const [k, v] of Object.entries(o)) if (k !== '_sd') out[k] = v;
    for (const digest of (o._sd as string[] | undefined) ?? []) {
      const d = byDigest.get(digest);
      if (d?.name) out[d.name] = d.value;
    }
    return out;
  };
  const out = open(payload);
  for (const [k, v] of Object.entries(out)) if (v && typeof v === 'object' && '_sd' in v) out[k] = open(v);
  delete out._sd_alg;
  return out;
}

describeOnLedgers('e2e: vct resolves to Type Metadata', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  const issuers = new Map<CredentialType, RegisteredIssuer>();

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    for (const type of CREDENTIAL_TYPES) issuers.set(type, await gw.registerIssuer({ allowedTypes: [type] }));
  });
  after(async () => gw?.stop());

  for (const type of CREDENTIAL_TYPES) {
    it(`${type}: vct is served with labels in zh-CN and en, vct#integrity matches its bytes, its schema accepts the payload`, async () => {
      const issued = await gw.issue(issuers.get(type)!.apiKey, type, { format: 'dc+sd-jwt' });
      expectVerified(await gw.verify(verifier, issued.presentation));
      const claims = fullPayload(issued.credential);
      expect(claims.vct).to.equal(`${gw.services.publicUrl}/vct/v1/${type}`);

      const res = await fetch(claims.vct as string);
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      expect(res.headers.get('cache-control')).to.match(/^public, max-age=\d+$/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(claims['vct#integrity']).to.equal(`sha256-${createHash('sha256').update(bytes).digest('base64')}`);

      const tm = JSON.parse(bytes.toString('utf8')) as Loose;
      expect(tm.vct).to.equal(claims.vct);
      expect(tm.display.map((d: Loose) => d.locale)).to.deep.equal(['zh-CN', 'en']);
      for (const d of tm.display) expect(d.name).to.be.a('string').and.not.equal('');
      // Every claim is labelled in both locales, with a word, never its path.
      for (const c of tm.claims as Array<{ path: string[]; display: Loose[] }>) {
        expect(
          c.display.map((d) => d.locale),
          c.path.join('.'),
        ).to.deep.equal(['zh-CN', 'en']);
        for (const d of c.display) expect(d.label, c.path.join('.')).to.not.equal(c.path.join('.'));
      }
      // Every member the credential discloses has its claim metadata, selectively disclosable.
      const paths = new Map((tm.claims as Array<{ path: string[]; sd: string }>).map((c) => [c.path.join('.'), c]));
      const member = SUBJECT_MEMBER[type];
      for (const container of ['holder', member])
        for (const name of Object.keys(claims[container] as object)) {
          expect(paths.get(`${container}.${name}`), `${container}.${name}`).to.deep.include({ sd: 'always' });
        }

      const validate = ajv().compile(tm.schema as object);
      expect(validate(claims), JSON.stringify(validate.errors)).to.equal(true);
      expect(validate({ ...claims, [member]: { ...(claims[member] as object), unexpected: 1 } })).to.equal(false);
    });
  }

  it('an unknown type is a 404 problem', async () => {
    expectProblem(await gw.api('GET', '/vct/v1/Passport'), 404, 'not_found');
  });

  it('the JSON-LD context a vc+jwt lists is served there, as the schemas package has it', async () => {
    const issued = await gw.issue(issuers.get('HealthCertificate')!.apiKey, 'HealthCertificate');
    const ctx = (decodeJws(issued.credential).payload['@context'] as string[])[1]!;
    expect(ctx).to.equal(contextUrl(gw.services.publicUrl));
    const res = await fetch(ctx);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/ld\+json/);
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect(await res.json()).to.deep.equal(JSON.parse(JSON.stringify(anxinContext())));
  });
});
