/**
 * The verification core without a ledger: the status of a credential read from the signed
 * status lists its issuer publishes (fetched from a real gateway, handed to the core as
 * files would be), with the time they speak for. A revocation and a suspension show; a list
 * past its `exp` fails with its own code and never verifies; a list that is not the
 * issuer's, or is missing, is refused with its own code.
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { decodeJwt } from 'jose';
import { verifyCredential, type VerificationReport, type VerifyDeps } from '@anxin/gateway/verify';
import { TestGateway, describeOnLedgers, type Issued, type RegisteredIssuer } from '../../helpers/gateway';

const payloadOf = (c: Issued) => decodeJwt(c.credential.split('~')[0]!) as Record<string, unknown>;

/** The lists a credential points at. */
function listUrls(c: Issued): string[] {
  const p = payloadOf(c);
  if (c.format === 'dc+sd-jwt') return [(p.status as { status_list: { uri: string } }).status_list.uri];
  return (p.credentialStatus as Array<{ type: string; statusListCredential?: string }>)
    .filter((e) => e.type === 'BitstringStatusListEntry')
    .map((e) => e.statusListCredential!);
}

/** When a list was signed (ms): a Token Status List's iat, a Bitstring Status List credential's validFrom. */
function signedAt(jwt: string): number {
  const p = decodeJwt(jwt);
  return typeof p.iat === 'number' ? p.iat * 1000 : Date.parse(String(p.validFrom));
}

describeOnLedgers('verify core: status from the issuer’s status lists, without a ledger', function (ledger) {
  let gw: TestGateway;
  let clinic: RegisteredIssuer;
  let other: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  /** Fetch the lists as a verifier would keep them: URL → signed list. */
  async function fetchLists(...cs: Issued[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const c of cs)
      for (const url of listUrls(c)) {
        const res = await fetch(url);
        expect(res.status, url).to.equal(200);
        out.set(url, await res.text());
      }
    return out;
  }

  /** Deps with the registry and the kept lists, and no ledger. */
  function offline(lists: Map<string, string>, now = new Date()): VerifyDeps {
    const issuers = gw.services.projection.issuers;
    return { issuer: (id) => issuers.get(id), statusList: async (uri) => lists.get(uri), now: () => now };
  }

  async function until(read: () => Promise<VerificationReport>, code: string): Promise<VerificationReport> {
    const t0 = Date.now();
    for (;;) {
      const r = await read();
      if (r.reasons.some((x) => x.code === code) || Date.now() - t0 > 5000) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  for (const format of ['vc+jwt', 'dc+sd-jwt'] as const) {
    it(`${format}: active, then revoked, through the lists alone, "as of" the list's signing time`, async () => {
      const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format });
      const lists = await fetchLists(c);
      const r = await verifyCredential(c.presentation, offline(lists));
      expect(r.reasons).to.deep.equal([]);
      expect(r.verified).to.equal(true);
      expect(r.checks).to.include({ status: 'pass', anchored: 'skipped', digestMatches: 'skipped' });
      expect(r.statusList!.status).to.equal('active');
      expect(r.statusList!.lists).to.have.members(listUrls(c));
      expect(Date.parse(r.statusList!.asOf)).to.equal(signedAt(lists.get(listUrls(c)[0]!)!));
      expect(Date.parse(r.statusList!.exp!)).to.be.greaterThan(Date.now());

      expect((await gw.changeStatus(clinic.apiKey, c.id, 'revoke', 're_examination_failed')).status).to.equal(200);
      const after = await until(async () => verifyCredential(c.presentation, offline(await fetchLists(c))), 'revoked');
      expect(after.verified).to.equal(false);
      expect(after.reasons.map((x) => [x.check, x.code])).to.deep.equal([['status', 'revoked']]);
      expect(after.statusList!.status).to.equal('revoked');
      // The lists kept from before still say active, as of their time.
      const old = await verifyCredential(c.presentation, offline(lists));
      expect(old.verified).to.equal(true);
      expect(Date.parse(old.statusList!.asOf)).to.be.at.most(Date.parse(after.statusList!.asOf));
    });

    it(`${format}: suspended, then reinstated, through the lists alone`, async () => {
      const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format });
      expect((await gw.changeStatus(clinic.apiKey, c.id, 'suspend', 'investigation')).status).to.equal(200);
      const r = await until(async () => verifyCredential(c.presentation, offline(await fetchLists(c))), 'suspended');
      expect(r.verified).to.equal(false);
      expect(r.reasons.map((x) => [x.check, x.code])).to.deep.equal([['status', 'suspended']]);
      expect(r.statusList!.status).to.equal('suspended');
      expect((await gw.changeStatus(clinic.apiKey, c.id, 'reinstate', 'investigation_closed')).status).to.equal(200);
      const back = await until(async () => {
        const x = await verifyCredential(c.presentation, offline(await fetchLists(c)));
        return x.verified ? { ...x, reasons: [{ check: 'status', code: 'ok', detail: '' }] } : x;
      }, 'ok');
      expect(back.verified).to.equal(true);
    });

    it(`${format}: a list past its exp is not leaned on (status_list_expired), yet says what it said`, async () => {
      const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format });
      const lists = await fetchLists(c);
      const exp = Math.min(
        ...[...lists.values()].map((j) => decodeJwt(j).exp ?? Date.parse(String(decodeJwt(j).validUntil)) / 1000),
      );
      const r = await verifyCredential(c.presentation, offline(lists, new Date(exp * 1000 + 1000)));
      expect(r.verified).to.equal(false);
      const status = r.reasons.filter((x) => x.check === 'status');
      expect(status.map((x) => x.code)).to.deep.equal(['status_list_expired']);
      expect(r.statusList!.status).to.equal('active');
      expect(Date.parse(r.statusList!.exp!)).to.equal(exp * 1000);
    });

    it(`${format}: a list missing, or another issuer's in its place, is refused with its own code`, async () => {
      const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format });
      const missing = await verifyCredential(c.presentation, offline(new Map()));
      expect(missing.verified).to.equal(false);
      expect(missing.reasons.map((x) => x.code)).to.deep.equal(['status_list_unavailable']);

      const theirs = await fetchLists(await gw.issue(other.apiKey, 'HealthCertificate', { format }));
      const swapped = new Map(listUrls(c).map((u, i) => [u, [...theirs.values()][i]!]));
      const r = await verifyCredential(c.presentation, offline(swapped));
      expect(r.verified).to.equal(false);
      expect(r.reasons.map((x) => x.code)).to.deep.equal(['status_list_invalid']);

      const [h, p, s] = [...(await fetchLists(c)).values()][0]!.split('.');
      const tampered = new Map(listUrls(c).map((u) => [u, `${h}.${p}.${s!.slice(0, -4)}AAAA`]));
      const t = await verifyCredential(c.presentation, offline(tampered));
      expect(t.reasons.map((x) => x.code)).to.deep.equal(['status_list_invalid']);
    });
  }

  it('a registry copy past its validity (a trust list past exp): trust_list_expired, never verified', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const lists = await fetchLists(c);
    const fresh = await verifyCredential(c.presentation, {
      ...offline(lists),
      registryValidUntil: new Date(Date.now() + 60_000),
    });
    expect(fresh.verified).to.equal(true);
    const r = await verifyCredential(c.presentation, {
      ...offline(lists),
      registryValidUntil: new Date(Date.now() - 1),
    });
    expect(r.verified).to.equal(false);
    expect(r.reasons.map((x) => [x.check, x.code])).to.deep.equal([['issuerTrusted', 'trust_list_expired']]);
  });

  it('with a ledger, the anchor still decides, and the lists are not asked', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const deps = { ...offline(new Map()), anchor: async () => undefined };
    const r = await verifyCredential(c.presentation, deps);
    expect(r.verified).to.equal(false);
    expect(r.reasons.map((x) => x.code)).to.include('not_anchored');
    expect(r.checks.status).to.equal('skipped');
    expect(r.statusList).to.equal(undefined);
  });
});
