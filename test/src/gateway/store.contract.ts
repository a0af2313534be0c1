/**
 * The Store contract: one suite, run against every adapter of the port
 * (store.sqlite.test.ts, store.mongodb.test.ts).
 *
 * `open` must return a store over the same backing every time it is called (same file,
 * same database), so that "close, reopen, the data is still there" can be checked; every
 * test uses fresh random ids, so tests never see each other's rows. `cleanup` runs once
 * after the suite and removes the backing.
 *
 * With `skip` set, every test of the suite is registered as skipped under the same titles:
 * the suite's `name` says why.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import type { IssuerRecord } from '@anxin/schemas';
import type {
  AnchorProjection,
  ApiKeyRecord,
  CredentialRecord,
  CustodialKeyRecord,
  IdempotencyRecord,
  IssuerProjection,
  NonceRecord,
  NotificationRecord,
  Sealed,
  Store,
} from '@anxin/gateway/dist/ports/store';

export interface StoreContractOptions {
  /** Register every test as skipped (the suite name should say why). */
  skip?: boolean;
}

// ---- fixtures ----------------------------------------------------------------------------

const b64u = (b: Buffer): string => b.toString('base64url');
const hex = (n: number): string => randomBytes(n).toString('hex');
const thumb = (): string => b64u(randomBytes(32)); // 43 chars, like an RFC 7638 thumbprint
const uid = (): string => randomUUID().slice(0, 8);

/** A sealed value whose ciphertext holds every byte value, plus random ones. */
export function sealedFixture(size = 1024): { sealed: Sealed; bytes: { iv: Buffer; ct: Buffer; tag: Buffer } } {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const ct = Buffer.concat([all, randomBytes(size)]);
  const iv = randomBytes(12);
  const tag = randomBytes(16);
  return { sealed: { iv: b64u(iv), ct: b64u(ct), tag: b64u(tag), kek: b64u(randomBytes(32)) }, bytes: { iv, ct, tag } };
}

function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = `ak_${hex(8)}`;
  return {
    id,
    hash: hex(32),
    principal: { type: 'issuer', id: `urn:anxin:issuer:store-test-${uid()}` },
    scopes: ['issue', 'revoke'],
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

function custodialKey(owner: string, over: Partial<CustodialKeyRecord> = {}): CustodialKeyRecord {
  return {
    kid: `${owner}#${thumb()}`,
    owner,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: thumb(), y: thumb() },
    sealed: sealedFixture(64).sealed,
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

const credentialId = (): string => `urn:uuid:${randomUUID()}`;

function credential(over: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    id: credentialId(),
    issuer: `urn:anxin:issuer:store-test-${uid()}`,
    type: 'HealthCertificate',
    format: 'dc+sd-jwt',
    sealed: sealedFixture(256).sealed,
    digest: hex(32),
    anchorStatement: `eyJhbGciOiJFUzI1NiJ9.${b64u(randomBytes(40))}.${b64u(randomBytes(64))}`,
    state: 'pending',
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

function anchor(updatedBlock: number, updatedTx: number, over: Partial<AnchorProjection> = {}): AnchorProjection {
  return {
    id: credentialId(),
    type: 'LaborContract',
    issuer: 'urn:anxin:issuer:store-test-platform',
    kid: `urn:anxin:issuer:store-test-platform#${thumb()}`,
    digest: hex(32),
    holderRef: thumb(),
    validFrom: '2026-05-01T00:00:00Z',
    validUntil: '2026-05-02T00:00:00Z',
    status: 'active',
    anchoredAt: '2026-05-01T06:30:00.123Z',
    txId: hex(32),
    block: 3,
    updatedAt: '2026-05-01T06:30:00.123Z',
    updatedBlock,
    updatedTx,
    ...over,
  };
}

function issuerRecord(id: string, name: string): IssuerRecord {
  return {
    id,
    name,
    kind: 'health_authority',
    uscc: '12510106MB0P42612H',
    allowedTypes: ['HealthCertificate'],
    status: 'active',
    keys: [
      {
        keyId: 'Vb1yRbl0jEMGfQdD5_PbVAQrNn2oQOgCKXyDAhfqfUQ',
        kid: `${id}#Vb1yRbl0jEMGfQdD5_PbVAQrNn2oQOgCKXyDAhfqfUQ`,
        alg: 'ES256',
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
        notBefore: '2026-03-01T00:00:00Z',
      },
    ],
    registeredAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-01T00:00:00Z',
  };
}

const issuerProjection = (id: string, name: string, updatedBlock: number, updatedTx: number): IssuerProjection => ({
  issuer: issuerRecord(id, name),
  updatedBlock,
  updatedTx,
});

const issuerId = (): string => `urn:anxin:issuer:store-test-${uid()}`;

/** A challenge given to `principal` (or, with purpose c_nonce, a public c_nonce), valid 5 minutes from 06:30 Beijing time. */
function nonceRecord(over: Partial<NonceRecord> = {}): NonceRecord {
  const purpose = over.purpose ?? 'challenge';
  return {
    nonce: thumb(),
    purpose,
    ...(purpose === 'challenge'
      ? { principal: `verifier:hotpot-${uid()}`, aud: `https://anxin.example.cn/verifiers/hotpot-${uid()}` }
      : {}),
    createdAt: '2026-05-01T06:30:00+08:00',
    expiresAt: '2026-05-01T06:35:00+08:00',
    ...over,
  };
}
/** Instants around the fixture's expiry (06:35 Beijing = 22:35Z the day before). */
const BEFORE_EXPIRY = '2026-04-30T22:31:00.000Z';
const AT_EXPIRY = '2026-04-30T22:35:00.000Z';

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ---- the suite ----------------------------------------------------------------------------

export function storeContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  options: StoreContractOptions = {},
): void {
  describe(name, function () {
    const test = options.skip ? it.skip : it;
    let store: Store;
    /** Stores opened by a test (reopen), closed after it. */
    const extra: Store[] = [];

    if (!options.skip) {
      before(async () => {
        store = await open();
      });
      afterEach(async () => {
        for (const s of extra.splice(0)) await s.close();
      });
      after(async () => {
        try {
          await store?.close();
        } finally {
          await cleanup();
        }
      });
    }

    describe('lifecycle', () => {
      test('ping answers true while open', async () => {
        expect(await store.ping()).to.equal(true);
        expect(store.kind).to.be.oneOf(['sqlite', 'mongodb']);
      });

      test('close, then reopen: every kind of record written before is still there', async () => {
        const first = await open();
        const k = apiKey({ label: '重开 reopen' });
        const ck = custodialKey(issuerId());
        const c = credential({
          state: 'anchored',
          anchor: { txId: hex(32), block: 9, anchoredAt: '2026-05-01T06:30:01Z' },
        });
        const a = anchor(9, 2);
        const iss = issuerProjection(issuerId(), 'Reopen Clinic', 9, 1);
        const cp = `reopen-${uid()}`;
        const idem: IdempotencyRecord = {
          principal: k.principal.id,
          key: `idem-${uid()}`,
          requestHash: hex(32),
          createdAt: '2026-05-01T06:30:00Z',
        };
        const cred = c.id;
        await first.putApiKey(k);
        await first.putCustodialKey(ck);
        await first.putCredential(c);
        await first.putAnchor(a);
        await first.putIssuer(iss);
        await first.putCheckpoint(cp, { block: 9, txIndex: 3 });
        expect(await first.claimIdempotencyKey(idem)).to.equal(undefined);
        await first.recordVerifications([
          {
            credentialId: cred,
            verifier: 'v-reopen',
            at: '2026-05-01T06:31:00Z',
            verified: true,
          },
        ]);
        await first.close();
        expect(await first.ping()).to.equal(false, 'a closed store does not answer ping');

        const again = await open();
        extra.push(again);
        expect(await again.getApiKey(k.id)).to.deep.equal(k);
        expect(await again.getCustodialKey(ck.kid)).to.deep.equal(ck);
        expect(await again.getCredential(c.id)).to.deep.equal(c);
        expect(await again.getAnchor(a.id)).to.deep.equal(a);
        expect(await again.getIssuer(iss.issuer.id)).to.deep.equal(iss);
        expect(await again.getCheckpoint(cp)).to.deep.equal({ block: 9, txIndex: 3 });
        expect(await again.claimIdempotencyKey({ ...idem, requestHash: hex(32) })).to.deep.equal(idem);
        expect(await again.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([
          { credentialId: cred, verifier: 'v-reopen', at: '2026-05-01T06:31:00Z', verified: true },
        ]);
      });
    });

    describe('API keys', () => {
      test('round trip, with and without the optional fields; unknown id is undefined', async () => {
        const bare = apiKey();
        const full = apiKey({ label: '成都火锅店 verifier', revokedAt: '2026-05-02T00:00:00Z', scopes: ['verify'] });
        await store.putApiKey(bare);
        await store.putApiKey(full);
        expect(await store.getApiKey(bare.id)).to.deep.equal(bare);
        expect(await store.getApiKey(full.id)).to.deep.equal(full);
        expect(await store.getApiKey(`ak_${hex(8)}`)).to.equal(undefined);
      });

      test('put is an idempotent upsert: same record twice is one record; a later put replaces it (revoke)', async () => {
        const k = apiKey({ label: 'to revoke' });
        await store.putApiKey(k);
        await store.putApiKey(k);
        expect(await store.listApiKeys(k.principal)).to.deep.equal([k]);
        const revoked = { ...k, revokedAt: '2026-05-03T00:00:00Z' };
        await store.putApiKey(revoked);
        expect(await store.getApiKey(k.id)).to.deep.equal(revoked);
        // and an optional field can be removed again
        const { label: _label, ...unlabelled } = revoked;
        await store.putApiKey(unlabelled);
        expect(await store.getApiKey(k.id)).to.deep.equal(unlabelled);
      });

      test('listApiKeys(principal) lists only that principal (type and id), oldest first; without one, all', async () => {
        const id = `employer-${uid()}`;
        const mine = [
          apiKey({ principal: { type: 'verifier', id }, createdAt: '2026-05-01T08:00:00Z' }),
          apiKey({ principal: { type: 'verifier', id }, createdAt: '2026-05-01T07:00:00Z' }),
        ];
        const sameIdOtherType = apiKey({ principal: { type: 'issuer', id } });
        const other = apiKey({ principal: { type: 'verifier', id: `employer-${uid()}` } });
        for (const k of [...mine, sameIdOtherType, other]) await store.putApiKey(k);
        expect(await store.listApiKeys({ type: 'verifier', id })).to.deep.equal([mine[1], mine[0]]);
        expect(await store.listApiKeys({ type: 'issuer', id })).to.deep.equal([sameIdOtherType]);
        expect(await store.listApiKeys({ type: 'admin', id: `nobody-${uid()}` })).to.deep.equal([]);
        const all = await store.listApiKeys();
        const ids = all.map((k) => k.id);
        for (const k of [...mine, sameIdOtherType, other]) expect(ids).to.include(k.id);
      });
    });

    describe('custodial keys', () => {
      test('round trip; unknown kid is undefined; listed by owner only', async () => {
        const owner = issuerId();
        const a = custodialKey(owner, { createdAt: '2026-05-01T00:00:00Z' });
        const b = custodialKey(owner, {
          alg: 'EdDSA',
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: thumb() },
          createdAt: '2026-06-01T00:00:00Z',
        });
        const other = custodialKey(issuerId());
        for (const k of [b, other, a]) await store.putCustodialKey(k);
        await store.putCustodialKey(a);
        expect(await store.getCustodialKey(a.kid)).to.deep.equal(a);
        expect(await store.getCustodialKey(`${owner}#${thumb()}`)).to.equal(undefined);
        expect(await store.listCustodialKeys(owner)).to.deep.equal([a, b]);
        expect(await store.listCustodialKeys(issuerId())).to.deep.equal([]);
      });

      test('the sealed private key round-trips byte-exact', async () => {
        const { sealed, bytes } = sealedFixture(4096);
        const k = custodialKey(issuerId(), { sealed });
        await store.putCustodialKey(k);
        const back = (await store.getCustodialKey(k.kid))!;
        expect(back.sealed).to.deep.equal(sealed);
        expect(Buffer.from(back.sealed.iv, 'base64url').equals(bytes.iv)).to.equal(true);
        expect(Buffer.from(back.sealed.ct, 'base64url').equals(bytes.ct)).to.equal(true);
        expect(Buffer.from(back.sealed.tag, 'base64url').equals(bytes.tag)).to.equal(true);
      });
    });

    describe('credential records', () => {
      test('round trip pending, then anchored (same id, upsert); unknown id is undefined', async () => {
        const pending = credential({ idempotencyKey: `idem-${uid()}` });
        await store.putCredential(pending);
        await store.putCredential(pending);
        expect(await store.getCredential(pending.id)).to.deep.equal(pending);
        const anchored: CredentialRecord = {
          ...pending,
          state: 'anchored',
          anchor: { txId: hex(32), block: 42, anchoredAt: '2026-05-01T06:30:00.5Z' },
        };
        await store.putCredential(anchored);
        await store.putCredential(anchored);
        expect(await store.getCredential(pending.id)).to.deep.equal(anchored);
        expect(await store.getCredential(credentialId())).to.equal(undefined);
      });

      test('an anchored record is not turned back into a pending one by a late write', async () => {
        const c = credential();
        const anchored: CredentialRecord = {
          ...c,
          state: 'anchored',
          anchor: { txId: hex(32), block: 7, anchoredAt: '2026-05-01T06:30:00Z' },
        };
        await store.putCredential(anchored);
        await store.putCredential(c);
        expect(await store.getCredential(c.id)).to.deep.equal(anchored);
      });

      test('the sealed credential round-trips byte-exact', async () => {
        const { sealed, bytes } = sealedFixture(16 * 1024);
        const c = credential({ sealed });
        await store.putCredential(c);
        const back = (await store.getCredential(c.id))!;
        expect(back.sealed).to.deep.equal(sealed);
        expect(Buffer.from(back.sealed.ct, 'base64url').equals(bytes.ct)).to.equal(true);
        expect(Buffer.from(back.sealed.iv, 'base64url').equals(bytes.iv)).to.equal(true);
        expect(Buffer.from(back.sealed.tag, 'base64url').equals(bytes.tag)).to.equal(true);
      });
    });

    describe('idempotency keys', () => {
      const claim = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
        principal: `urn:anxin:issuer:store-test-${uid()}`,
        key: `key-${randomUUID()}`,
        requestHash: hex(32),
        resource: credentialId(),
        createdAt: '2026-05-01T07:00:00.000Z',
        ...over,
      });

      test('first claim gets undefined; a second claimer gets the first record untouched', async () => {
        const first = claim();
        expect(await store.claimIdempotencyKey(first)).to.equal(undefined);
        const second = { ...first, requestHash: hex(32), resource: credentialId(), createdAt: '2026-05-01T07:00:05Z' };
        expect(await store.claimIdempotencyKey(second)).to.deep.equal(first);
        expect(await store.claimIdempotencyKey(second)).to.deep.equal(first);
      });

      test('the same key under another principal is another claim', async () => {
        const a = claim();
        const b = { ...a, principal: `urn:anxin:issuer:store-test-${uid()}` };
        expect(await store.claimIdempotencyKey(a)).to.equal(undefined);
        expect(await store.claimIdempotencyKey(b)).to.equal(undefined);
        expect(await store.claimIdempotencyKey({ ...a, requestHash: hex(32) })).to.deep.equal(a);
      });

      test("racing claims (Promise.all): exactly one wins, every other gets the winner's record", async () => {
        const base = claim();
        const contenders = Array.from({ length: 8 }, () => ({ ...base, requestHash: hex(32) }));
        const results = await Promise.all(contenders.map((c) => store.claimIdempotencyKey(c)));
        const winners = results.map((r, i) => (r === undefined ? i : -1)).filter((i) => i >= 0);
        expect(winners).to.have.length(1);
        const winner = contenders[winners[0]!]!;
        for (const r of results) if (r !== undefined) expect(r).to.deep.equal(winner);
      });

      test('complete stores the response; later claims return it', async () => {
        const c = claim();
        await store.claimIdempotencyKey(c);
        const response = {
          status: 201,
          body: { id: c.resource, anchor: { txId: hex(32), block: 5 }, $id: 'odd key', 'a.b': ['点', null, 1.5, true] },
        };
        await store.completeIdempotencyKey(c.principal, c.key, response);
        await store.completeIdempotencyKey(c.principal, c.key, response);
        expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal({ ...c, response });
      });

      test('a claim without a resource round-trips without one', async () => {
        const { resource: _r, ...c } = claim();
        expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
        expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(c);
      });

      test('release forgets an open claim, so a retry can claim again; releasing twice is harmless', async () => {
        const c = claim();
        await store.claimIdempotencyKey(c);
        await store.releaseIdempotencyKey(c.principal, c.key);
        await store.releaseIdempotencyKey(c.principal, c.key);
        const retry = { ...c, requestHash: hex(32) };
        expect(await store.claimIdempotencyKey(retry)).to.equal(undefined);
        expect(await store.claimIdempotencyKey(c)).to.deep.equal(retry);
      });

      test('release does not forget a completed claim (its response keeps answering retries)', async () => {
        const c = claim();
        await store.claimIdempotencyKey(c);
        const response = { status: 201, body: { id: c.resource } };
        await store.completeIdempotencyKey(c.principal, c.key, response);
        await store.releaseIdempotencyKey(c.principal, c.key);
        expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal({ ...c, response });
      });

      test('complete or release of a key never claimed does nothing', async () => {
        const c = claim();
        await store.completeIdempotencyKey(c.principal, c.key, { status: 200, body: {} });
        await store.releaseIdempotencyKey(c.principal, c.key);
        expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
      });
    });

    describe('ledger projection: anchors', () => {
      test('round trip, with and without optional fields; unknown id is undefined', async () => {
        const a = anchor(3, 0);
        const { validUntil: _v, ...noUntil } = anchor(3, 1);
        const revoked = anchor(4, 0, { status: 'revoked', statusReason: 're_examination_failed' });
        for (const p of [a, noUntil, revoked]) await store.putAnchor(p);
        expect(await store.getAnchor(a.id)).to.deep.equal(a);
        expect(await store.getAnchor(noUntil.id)).to.deep.equal(noUntil);
        expect(await store.getAnchor(revoked.id)).to.deep.equal(revoked);
        expect(await store.getAnchor(credentialId())).to.equal(undefined);
      });

      test('an older (block, tx) never overwrites a newer one: (5,0) then (4,9) stays at (5,0)', async () => {
        const at50 = anchor(5, 0);
        const at49 = {
          ...at50,
          status: 'revoked' as const,
          statusReason: 'fraud' as const,
          updatedBlock: 4,
          updatedTx: 9,
        };
        await store.putAnchor(at50);
        await store.putAnchor(at49);
        expect(await store.getAnchor(at50.id)).to.deep.equal(at50);
      });

      test('a later tx of the same block moves it: (5,1) after (5,0); applying (5,1) again is idempotent', async () => {
        const at50 = anchor(5, 0);
        const at51: AnchorProjection = {
          ...at50,
          status: 'suspended',
          statusReason: 're_examination_pending',
          updatedAt: '2026-05-01T09:00:00Z',
          updatedTx: 1,
        };
        await store.putAnchor(at50);
        await store.putAnchor(at51);
        expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
        await store.putAnchor(at51);
        expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
        await store.putAnchor(at50);
        expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
        // a later block moves it again, and may clear the reason (reinstated)
        const { statusReason: _s, ...at60 } = { ...at51, status: 'active' as const, updatedBlock: 6, updatedTx: 0 };
        await store.putAnchor(at60);
        expect(await store.getAnchor(at50.id)).to.deep.equal(at60);
      });

      test('versions applied concurrently in any order end at the newest', async () => {
        const base = anchor(0, 0);
        const versions: AnchorProjection[] = [];
        for (const [b, t] of [
          [5, 0],
          [5, 1],
          [4, 9],
          [6, 0],
          [6, 2],
          [6, 1],
          [2, 3],
        ] as const) {
          versions.push({ ...base, updatedBlock: b, updatedTx: t, updatedAt: `2026-05-01T0${b}:00:0${t}Z` });
        }
        await Promise.all(shuffled(versions).map((v) => store.putAnchor(v)));
        const got = await store.getAnchor(base.id);
        expect([got?.updatedBlock, got?.updatedTx]).to.deep.equal([6, 2]);
        expect(got?.updatedAt).to.equal('2026-05-01T06:00:02Z');
      });
    });

    describe('ledger projection: issuers', () => {
      test('round trip (the whole issuer record, unicode included); unknown id is undefined', async () => {
        const p = issuerProjection(issuerId(), '成都市金牛区疾病预防控制中心', 2, 0);
        await store.putIssuer(p);
        await store.putIssuer(p);
        expect(await store.getIssuer(p.issuer.id)).to.deep.equal(p);
        expect(await store.getIssuer(issuerId())).to.equal(undefined);
      });

      test('ordering: (5,0) then (4,9) stays; (5,1) moves', async () => {
        const id = issuerId();
        const at50 = issuerProjection(id, 'Clinic at 5.0', 5, 0);
        await store.putIssuer(at50);
        await store.putIssuer(issuerProjection(id, 'Clinic at 4.9', 4, 9));
        expect(await store.getIssuer(id)).to.deep.equal(at50);
        const at51 = issuerProjection(id, 'Clinic at 5.1', 5, 1);
        at51.issuer.status = 'suspended';
        await store.putIssuer(at51);
        expect(await store.getIssuer(id)).to.deep.equal(at51);
      });

      test('listIssuers includes every issuer put, each at its newest version, sorted by id', async () => {
        const ids = [issuerId(), issuerId(), issuerId()];
        for (const id of ids) {
          await store.putIssuer(issuerProjection(id, `${id} v2`, 8, 1));
          await store.putIssuer(issuerProjection(id, `${id} v1`, 8, 0));
        }
        const listed = await store.listIssuers();
        const listedIds = listed.map((p) => p.issuer.id);
        expect(listedIds).to.deep.equal([...listedIds].sort());
        for (const id of ids) {
          expect(listed.find((p) => p.issuer.id === id)).to.deep.equal(issuerProjection(id, `${id} v2`, 8, 1));
        }
      });
    });

    describe('ledger projection: checkpoints', () => {
      test('round trip; unknown name is undefined; names are independent', async () => {
        const a = `events-${uid()}`;
        const b = `events-${uid()}`;
        expect(await store.getCheckpoint(a)).to.equal(undefined);
        await store.putCheckpoint(a, { block: 0, txIndex: 0 });
        expect(await store.getCheckpoint(a)).to.deep.equal({ block: 0, txIndex: 0 });
        await store.putCheckpoint(a, { block: 12, txIndex: 3 });
        await store.putCheckpoint(a, { block: 12, txIndex: 3 });
        await store.putCheckpoint(b, { block: 1, txIndex: 0 });
        expect(await store.getCheckpoint(a)).to.deep.equal({ block: 12, txIndex: 3 });
        expect(await store.getCheckpoint(b)).to.deep.equal({ block: 1, txIndex: 0 });
      });

      test('a checkpoint only moves forward: (5,2) then (4,9) or (5,1) stays; (5,3) and (6,0) move', async () => {
        const n = `events-${uid()}`;
        await store.putCheckpoint(n, { block: 5, txIndex: 2 });
        await store.putCheckpoint(n, { block: 4, txIndex: 9 });
        await store.putCheckpoint(n, { block: 5, txIndex: 1 });
        expect(await store.getCheckpoint(n)).to.deep.equal({ block: 5, txIndex: 2 });
        await store.putCheckpoint(n, { block: 5, txIndex: 3 });
        expect(await store.getCheckpoint(n)).to.deep.equal({ block: 5, txIndex: 3 });
        await store.putCheckpoint(n, { block: 6, txIndex: 0 });
        expect(await store.getCheckpoint(n)).to.deep.equal({ block: 6, txIndex: 0 });
      });
    });

    describe('verification log', () => {
      test('verifiersSince: distinct verifiers, each with its latest entry, newest first', async () => {
        const cred = credentialId();
        const other = credentialId();
        const log = [
          { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-01T06:30:00Z', verified: true },
          { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-20T06:30:00Z', verified: false },
          { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-10T06:30:00Z', verified: true },
          { credentialId: cred, verifier: 'noodle-shop', at: '2026-05-15T12:00:00Z', verified: true },
          { credentialId: cred, verifier: 'noodle-shop', at: '2026-05-15T11:00:00Z', verified: true },
          { credentialId: other, verifier: 'tea-house', at: '2026-05-16T12:00:00Z', verified: true },
        ];
        await store.recordVerifications(shuffled(log));
        expect(await store.verifiersSince(cred, '2026-04-01T00:00:00Z')).to.deep.equal([log[1], log[3]]);
        expect(await store.verifiersSince(other, '2026-04-01T00:00:00Z')).to.deep.equal([log[5]]);
        expect(await store.verifiersSince(credentialId(), '2026-04-01T00:00:00Z')).to.deep.equal([]);
      });

      test('since filters by instant (inclusive) and drops verifiers seen only before it', async () => {
        const cred = credentialId();
        const early = { credentialId: cred, verifier: 'early-only', at: '2026-03-01T00:00:00Z', verified: true };
        const edge = { credentialId: cred, verifier: 'on-the-edge', at: '2026-04-01T00:00:00Z', verified: true };
        const late = { credentialId: cred, verifier: 'late', at: '2026-04-15T00:00:00Z', verified: false };
        const lateBefore = { ...late, at: '2026-03-15T00:00:00Z', verified: true };
        await store.recordVerifications([early, edge, late, lateBefore]);
        expect(await store.verifiersSince(cred, '2026-04-01T00:00:00Z')).to.deep.equal([late, edge]);
        expect(await store.verifiersSince(cred, '2026-04-01T00:00:00.001Z')).to.deep.equal([late]);
        expect(await store.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([]);
        expect(await store.verifiersSince(cred, '2026-01-01T00:00:00Z')).to.deep.equal([late, edge, early]);
      });

      test('instants compare as time, not as text (with and without fractional seconds, offsets)', async () => {
        const cred = credentialId();
        const whole = { credentialId: cred, verifier: 'v', at: '2026-05-01T08:00:00Z', verified: false };
        const fraction = { credentialId: cred, verifier: 'v', at: '2026-05-01T08:00:00.500Z', verified: true };
        await store.recordVerifications([fraction]);
        await store.recordVerifications([whole]);
        expect(await store.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([fraction]);
        expect(await store.verifiersSince(cred, '2026-05-01T08:00:00.250Z')).to.deep.equal([fraction]);
        // 16:00+08:00 is 08:00Z: the same instant, so the entry at 08:00:00.500Z is after it
        expect(await store.verifiersSince(cred, '2026-05-01T16:00:00+08:00')).to.deep.equal([fraction]);
      });

      test('recording the same entry twice is one entry', async () => {
        const cred = credentialId();
        const e = { credentialId: cred, verifier: 'dup', at: '2026-05-01T08:00:00Z', verified: true };
        await store.recordVerifications([e]);
        await store.recordVerifications([e, e]);
        expect(await store.verifiersSince(cred, '2026-01-01T00:00:00Z')).to.deep.equal([e]);
      });
    });
    describe('webhooks and their outbox', () => {
      const note = (over: Partial<NotificationRecord> = {}): NotificationRecord => ({
        id: hex(16),
        verifier: `employer-${hex(4)}`,
        url: 'https://hr.example.cn/anxin/notify',
        credentialId: credentialId(),
        body: `eyJhbGciOiJFUzI1NiJ9.${hex(24)}.${hex(32)}`,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: '2026-05-01T08:00:00Z',
        createdAt: '2026-05-01T08:00:00Z',
        ...over,
      });

      test('a verifier has at most one webhook: put replaces, get reads, delete says whether there was one', async () => {
        const verifier = `employer-${hex(4)}`;
        expect(await store.getWebhook(verifier)).to.equal(undefined);
        await store.putWebhook({ verifier, url: 'https://a.example/hook', createdAt: '2026-05-01T08:00:00Z' });
        const second = { verifier, url: 'https://b.example/hook?x=1', createdAt: '2026-05-02T08:00:00Z' };
        await store.putWebhook(second);
        expect(await store.getWebhook(verifier)).to.deep.equal(second);
        expect(await store.deleteWebhook(verifier)).to.equal(true);
        expect(await store.deleteWebhook(verifier)).to.equal(false);
        expect(await store.getWebhook(verifier)).to.equal(undefined);
      });

      test('enqueue is insert-if-absent: the same id twice is queued once and keeps its first state', async () => {
        const n = note();
        expect(await store.enqueueNotifications([n])).to.equal(1);
        const delivered = { ...n, state: 'delivered' as const, attempts: 1, deliveredAt: '2026-05-01T08:00:01Z' };
        await store.updateNotification(delivered);
        expect(await store.enqueueNotifications([n, note({ verifier: n.verifier })])).to.equal(1);
        const listed = await store.listNotifications(n.verifier, 10);
        expect(listed).to.have.length(2);
        expect(listed.find((x) => x.id === n.id)).to.deep.equal(delivered);
      });

      test('due: pending only, due at the instant given (as time, not text), longest-waiting first, limited', async () => {
        const verifier = `employer-${hex(4)}`;
        const later = note({ verifier, nextAttemptAt: '2026-05-01T08:05:00Z' });
        const first = note({ verifier, nextAttemptAt: '2026-05-01T08:00:00.500Z' });
        const second = note({ verifier, nextAttemptAt: '2026-05-01T16:01:00+08:00' });
        const failed = note({ verifier, state: 'failed', attempts: 10, lastError: 'HTTP 500' });
        await store.enqueueNotifications([later, second, first, failed]);
        const due = (await store.dueNotifications('2026-05-01T08:02:00Z', 100)).filter((x) => x.verifier === verifier);
        expect(due.map((x) => x.id)).to.deep.equal([first.id, second.id]);
        expect(due[0]).to.deep.equal(first);
        const one = (await store.dueNotifications('2026-05-01T09:00:00Z', 100)).filter((x) => x.verifier === verifier);
        expect(one.map((x) => x.id)).to.deep.equal([first.id, second.id, later.id]);
        expect(await store.dueNotifications('2026-05-01T09:00:00Z', 1)).to.have.length(1);
      });

      test('update records attempts, the next attempt and the last error; clearing an error removes it', async () => {
        const n = note();
        await store.enqueueNotifications([n]);
        const retry = { ...n, attempts: 1, nextAttemptAt: '2026-05-01T08:01:00Z', lastError: 'HTTP 503' };
        await store.updateNotification(retry);
        expect((await store.listNotifications(n.verifier, 10))[0]).to.deep.equal(retry);
        expect(
          (await store.dueNotifications('2026-05-01T08:00:30Z', 1000)).some((x) => x.id === n.id),
          'not due before its next attempt',
        ).to.equal(false);
        const done = {
          ...n,
          state: 'delivered' as const,
          attempts: 2,
          nextAttemptAt: '2026-05-01T08:01:00Z',
          deliveredAt: '2026-05-01T08:01:02Z',
        };
        await store.updateNotification(done);
        expect((await store.listNotifications(n.verifier, 10))[0]).to.deep.equal(done);
        expect((await store.dueNotifications('2026-06-01T00:00:00Z', 1000)).some((x) => x.id === n.id)).to.equal(false);
      });

      test("a verifier's list is newest first and limited", async () => {
        const verifier = `employer-${hex(4)}`;
        const old = note({ verifier, createdAt: '2026-05-01T08:00:00Z' });
        const mid = note({ verifier, createdAt: '2026-05-01T09:00:00Z' });
        const recent = note({ verifier, createdAt: '2026-05-01T18:00:00+08:00' });
        await store.enqueueNotifications([mid, recent, old]);
        expect((await store.listNotifications(verifier, 10)).map((x) => x.id)).to.deep.equal([
          recent.id,
          mid.id,
          old.id,
        ]);
        expect((await store.listNotifications(verifier, 2)).map((x) => x.id)).to.deep.equal([recent.id, mid.id]);
        expect(await store.listNotifications(`nobody-${hex(4)}`, 10)).to.deep.equal([]);
      });
    });
    describe('one-time nonces (challenges, c_nonces)', () => {
      test('used once: the first use answers the record, marked used; every later use says "used"', async () => {
        const n = nonceRecord();
        await store.putNonce(n);
        const first = await store.useNonce(
          { nonce: n.nonce, purpose: 'challenge', principal: n.principal! },
          BEFORE_EXPIRY,
        );
        expect(first).to.deep.equal({ ok: true, record: { ...n, usedAt: BEFORE_EXPIRY } });
        for (let i = 0; i < 2; i++)
          expect(
            await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY),
          ).to.deep.equal({ ok: false, why: 'used' });
      });

      test('a c_nonce has no owner: anyone may use it, once', async () => {
        const n = nonceRecord({ purpose: 'c_nonce' });
        expect(n.principal).to.equal(undefined);
        await store.putNonce(n);
        const used = await store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY);
        expect(used).to.deep.equal({ ok: true, record: { ...n, usedAt: BEFORE_EXPIRY } });
        expect(await store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)).to.deep.equal({
          ok: false,
          why: 'used',
        });
      });

      test("another principal's challenge: not yours, and it stays usable by its owner", async () => {
        const n = nonceRecord();
        await store.putNonce(n);
        expect(
          await store.useNonce(
            { nonce: n.nonce, purpose: 'challenge', principal: 'verifier:someone-else' },
            BEFORE_EXPIRY,
          ),
        ).to.deep.equal({ ok: false, why: 'not_yours' });
        expect(
          (await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY)).ok,
        ).to.equal(true);
        // Once used, a stranger still learns nothing but "not yours".
        expect(
          await store.useNonce(
            { nonce: n.nonce, purpose: 'challenge', principal: 'verifier:someone-else' },
            BEFORE_EXPIRY,
          ),
        ).to.deep.equal({ ok: false, why: 'not_yours' });
      });

      test('expired at its expiry instant (offsets compared as instants), and not marked used', async () => {
        const n = nonceRecord();
        await store.putNonce(n);
        const q = { nonce: n.nonce, purpose: 'challenge' as const, principal: n.principal! };
        expect(await store.useNonce(q, AT_EXPIRY)).to.deep.equal({ ok: false, why: 'expired' });
        expect(await store.useNonce(q, '2026-05-01T07:00:00+08:00')).to.deep.equal({ ok: false, why: 'expired' });
        // A minute before, by another clock's offset: still good (it was never marked used).
        expect((await store.useNonce(q, '2026-05-01T06:34:00+08:00')).ok).to.equal(true);
      });

      test('unknown nonce, or a nonce of the other purpose: unknown, and nothing is spent', async () => {
        expect(await store.useNonce({ nonce: thumb(), purpose: 'c_nonce' }, BEFORE_EXPIRY)).to.deep.equal({
          ok: false,
          why: 'unknown',
        });
        const c = nonceRecord({ purpose: 'c_nonce' });
        await store.putNonce(c);
        expect(
          await store.useNonce({ nonce: c.nonce, purpose: 'challenge', principal: 'verifier:x' }, BEFORE_EXPIRY),
        ).to.deep.equal({ ok: false, why: 'unknown' });
        expect((await store.useNonce({ nonce: c.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)).ok).to.equal(true);
      });

      test('a nonce is recorded once: the same value again is refused', async () => {
        const n = nonceRecord();
        await store.putNonce(n);
        let refused = false;
        try {
          await store.putNonce({ ...n, principal: 'verifier:intruder' });
        } catch {
          refused = true;
        }
        expect(refused).to.equal(true);
        expect(
          (await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY)).ok,
        ).to.equal(true);
      });

      test('20 concurrent uses of one nonce: exactly one succeeds', async () => {
        const n = nonceRecord({ purpose: 'c_nonce' });
        await store.putNonce(n);
        const uses = await Promise.all(
          Array.from({ length: 20 }, () => store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)),
        );
        expect(uses.filter((u) => u.ok)).to.have.length(1);
        expect(uses.filter((u) => !u.ok).map((u) => (u.ok ? '' : u.why))).to.deep.equal(Array(19).fill('used'));
      });

      test('close, then reopen: a used nonce is still used, an unused one still usable', async () => {
        const first = await open();
        const used = nonceRecord();
        const fresh = nonceRecord();
        await first.putNonce(used);
        await first.putNonce(fresh);
        expect(
          (await first.useNonce({ nonce: used.nonce, purpose: 'challenge', principal: used.principal! }, BEFORE_EXPIRY))
            .ok,
        ).to.equal(true);
        await first.close();
        const again = await open();
        extra.push(again);
        expect(
          await again.useNonce({ nonce: used.nonce, purpose: 'challenge', principal: used.principal! }, BEFORE_EXPIRY),
        ).to.deep.equal({ ok: false, why: 'used' });
        expect(
          await again.useNonce(
            { nonce: fresh.nonce, purpose: 'challenge', principal: fresh.principal! },
            BEFORE_EXPIRY,
          ),
        ).to.deep.equal({ ok: true, record: { ...fresh, usedAt: BEFORE_EXPIRY } });
      });
    });

    describe('retention (prune)', () => {
      // Dates in 2020: no other test writes any, so the counts are this test's own.
      test('deletes old verifications, completed old claims and finished old notices; keeps the rest', async () => {
        const cred = credentialId();
        const v = (verifier: string, at: string) => ({ credentialId: cred, verifier, at, verified: true });
        await store.recordVerifications([
          v('old-1', '2020-03-01T08:00:00Z'),
          v('old-2', '2020-05-31T23:59:59.999Z'),
          // 07:00+08:00 is 23:00Z the day before the cutoff: old, as time (as text it would look newer)
          v('old-3', '2020-06-01T07:00:00+08:00'),
          v('kept', '2020-06-01T00:00:00Z'),
        ]);
        const principal = `urn:anxin:issuer:store-test-${uid()}`;
        const claim = (key: string, createdAt: string, done: boolean) => ({
          rec: { principal, key, requestHash: hex(32), resource: credentialId(), createdAt },
          done,
        });
        const claims = [
          claim('done-old-aaaa', '2020-05-01T00:00:00.000Z', true),
          claim('done-old-offset', '2020-06-01T07:00:00+08:00', true),
          claim('open-old-aaaa', '2020-05-01T00:00:00.000Z', false),
          claim('done-new-aaaa', '2020-06-02T00:00:00.000Z', true),
        ];
        for (const c of claims) {
          expect(await store.claimIdempotencyKey(c.rec)).to.equal(undefined);
          if (c.done) await store.completeIdempotencyKey(principal, c.rec.key, { status: 201, body: { id: 'x' } });
        }
        const verifier = `employer-${hex(4)}`;
        const n = (state: 'pending' | 'delivered' | 'failed', createdAt: string) => ({
          id: hex(16),
          verifier,
          url: 'https://hr.example.cn/hook',
          credentialId: cred,
          body: 'e30.e30.sig',
          state,
          attempts: state === 'pending' ? 0 : 1,
          nextAttemptAt: createdAt,
          createdAt,
        });
        const notes = [
          n('delivered', '2020-05-01T00:00:00Z'),
          n('failed', '2020-05-01T00:00:00Z'),
          n('pending', '2020-05-01T00:00:00Z'),
          n('delivered', '2020-06-02T00:00:00Z'),
        ];
        await store.enqueueNotifications(notes);

        const nonces = [
          nonceRecord({ expiresAt: '2020-05-31T23:59:59Z' }),
          nonceRecord({ purpose: 'c_nonce', expiresAt: '2020-06-01T07:00:00+08:00' }),
          nonceRecord({ expiresAt: '2020-06-01T00:00:00Z' }),
        ];
        for (const x of nonces) await store.putNonce(x);
        // Used or not, an expired nonce goes.
        expect(
          (await store.useNonce({ ...nonces[0]!, principal: nonces[0]!.principal! }, '2020-05-31T12:00:00Z')).ok,
        ).to.equal(true);

        const cut = '2020-06-01T00:00:00Z';
        expect(
          await store.prune({ verifications: cut, idempotency: cut, notifications: cut, nonces: cut }),
        ).to.deep.equal({
          verifications: 3,
          idempotency: 2,
          notifications: 2,
          nonces: 2,
        });
        expect(
          await store.useNonce({ ...nonces[0]!, principal: nonces[0]!.principal! }, '2020-05-01T00:00:00Z'),
        ).to.deep.equal({
          ok: false,
          why: 'unknown',
        });
        expect(
          (await store.useNonce({ ...nonces[2]!, principal: nonces[2]!.principal! }, '2020-05-01T00:00:00Z')).ok,
        ).to.equal(true);
        expect((await store.verifiersSince(cred, '2019-01-01T00:00:00Z')).map((x) => x.verifier)).to.deep.equal([
          'kept',
        ]);
        // A pruned key can be claimed afresh; a kept one still answers with its record.
        expect(await store.claimIdempotencyKey({ ...claims[0]!.rec, requestHash: hex(32) })).to.equal(undefined);
        expect(await store.claimIdempotencyKey({ ...claims[1]!.rec, requestHash: hex(32) })).to.equal(undefined);
        expect((await store.claimIdempotencyKey(claims[2]!.rec))?.requestHash).to.equal(claims[2]!.rec.requestHash);
        expect((await store.claimIdempotencyKey(claims[3]!.rec))?.response).to.deep.equal({
          status: 201,
          body: { id: 'x' },
        });
        expect((await store.listNotifications(verifier, 10)).map((x) => x.id).sort()).to.deep.equal(
          [notes[2]!.id, notes[3]!.id].sort(),
        );
        expect(
          await store.prune({ verifications: cut, idempotency: cut, notifications: cut, nonces: cut }),
        ).to.deep.equal({
          verifications: 0,
          idempotency: 0,
          notifications: 0,
          nonces: 0,
        });
      });

      test('more rows than one delete batch: all go', async () => {
        const cred = credentialId();
        const entries = Array.from({ length: 12_001 }, (_, i) => ({
          credentialId: cred,
          verifier: `bulk-${i}`,
          at: '2019-01-01T00:00:00Z',
          verified: true,
        }));
        await store.recordVerifications(entries);
        const r = await store.prune({
          verifications: '2019-06-01T00:00:00Z',
          idempotency: '2000-01-01T00:00:00Z',
          notifications: '2000-01-01T00:00:00Z',
          nonces: '2000-01-01T00:00:00Z',
        });
        expect(r.verifications).to.equal(12_001);
        expect(await store.verifiersSince(cred, '2000-01-01T00:00:00Z')).to.deep.equal([]);
      });
    });
  });
}
