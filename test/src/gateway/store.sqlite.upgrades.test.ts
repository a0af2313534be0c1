/**
 * A store written by every earlier schema version opens with today's code, is migrated to
 * today's version, and keeps what it held: its API keys still authenticate, its custodial
 * keys still open under their KEK and are the keys the issuer registered, its issued
 * credentials still open and their issuer signatures verify, its projection still has the
 * anchors and the issuer; and what the later versions added works on it.
 *
 * The fixtures are store files made by the gateway of each earlier version (see
 * fixtures/README.md in the store's test folder for how they were made).
 */
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { compactVerify, importJWK } from 'jose';
import { SqliteStore, SQLITE_SCHEMA_VERSION } from '@anxin/gateway/store/sqlite';
import { apiKeyId, apiKeyMatches } from '@anxin/gateway/server';
import { Kek, indexHolderKeys } from '@anxin/gateway/server';
import { tempDir } from '../helpers/tmp';

const FIXTURES = resolve(__dirname, '../../src/gateway/store/fixtures');

interface Made {
  schemaVersion: number;
  madeBy: string;
  kek: string;
  adminKey: string;
  issuer: { id: string; apiKey: string; keys: Array<{ kid: string; publicJwk: Record<string, string> }> };
  verifierKey: string;
  credentials: Array<{ id: string; format: 'vc+jwt' | 'dc+sd-jwt'; credential: string; digest: string }>;
}

const versions = readdirSync(FIXTURES)
  .filter((d) => /^schema-v\d+$/.test(d))
  .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));

describe('SQLite store: a store written by an earlier schema version opens, migrates and keeps what it held', () => {
  it('there is a fixture for every earlier schema version', () => {
    expect(versions).to.deep.equal(Array.from({ length: SQLITE_SCHEMA_VERSION - 1 }, (_, i) => `schema-v${i + 1}`));
  });

  for (const dir of versions) {
    it(`${dir}: migrated to today's version; keys, credentials and projection still verify`, async () => {
      const made = JSON.parse(readFileSync(join(FIXTURES, dir, 'made.json'), 'utf8')) as Made;
      const file = join(tempDir('store-upgrade'), 'store.sqlite');
      copyFileSync(join(FIXTURES, dir, 'store.sqlite'), file);
      const before = new Database(file, { readonly: true });
      expect(before.pragma('user_version', { simple: true }), 'the fixture is of its version').to.equal(
        made.schemaVersion,
      );
      before.close();

      const store = new SqliteStore(file);
      try {
        // API keys: each still found by its id, and the presented key matches its stored hash.
        for (const key of [made.adminKey, made.issuer.apiKey, made.verifierKey]) {
          const rec = await store.getApiKey(apiKeyId(key)!);
          expect(rec, 'API key record').to.not.equal(undefined);
          expect(apiKeyMatches(key, rec!.hash)).to.equal(true);
          expect(rec!.revokedAt).to.equal(undefined);
        }
        expect((await store.getApiKey(apiKeyId(made.adminKey)!))!.scopes).to.include('admin');

        // Custodial keys: they open under the KEK, and each is the key the issuer registered.
        const kek = new Kek(Buffer.from(made.kek, 'base64'));
        const custodial = await store.listCustodialKeys(made.issuer.id);
        expect(custodial.map((k) => k.kid)).to.deep.equal(made.issuer.keys.map((k) => k.kid));
        for (const k of custodial) {
          const priv = createPrivateKey({ key: JSON.parse(kek.open(k.sealed, k.kid).toString('utf8')), format: 'jwk' });
          expect(createPublicKey(priv).export({ format: 'jwk' })).to.deep.include(
            made.issuer.keys.find((r) => r.kid === k.kid)!.publicJwk,
          );
        }
        for (const owner of ['gateway', 'registrar']) {
          for (const k of await store.listCustodialKeys(owner)) expect(() => kek.open(k.sealed, k.kid)).to.not.throw();
        }

        // Issued credentials: they open, are what was issued, and the issuer's signature verifies.
        const issuerKey = await importJWK(made.issuer.keys[0]!.publicJwk, 'ES256');
        for (const c of made.credentials) {
          const rec = await store.getCredential(c.id);
          expect(rec).to.deep.include({ id: c.id, issuer: made.issuer.id, format: c.format, state: 'anchored' });
          expect(kek.open(rec!.sealed, c.id).toString('utf8')).to.equal(c.credential);
          const jws = c.credential.split('~')[0]!;
          expect(createHash('sha256').update(jws).digest('hex')).to.equal(c.digest);
          await compactVerify(jws, issuerKey);
          const anchor = await store.getAnchor(c.id);
          expect(anchor).to.deep.include({ id: c.id, digest: c.digest, status: 'active', issuer: made.issuer.id });
        }
        expect((await store.getIssuer(made.issuer.id))?.issuer.keys.map((k) => k.kid)).to.deep.equal(
          made.issuer.keys.map((k) => k.kid),
        );

        // What later versions added works on the migrated store.
        const identity = {
          ledger: { channel: 'anxin', genesisHash: '00'.repeat(32) },
          kek: kek.fingerprint,
          createdAt: '2026-12-01T00:00:00Z',
        };
        if (made.schemaVersion < 8) {
          expect(await store.getIdentity()).to.equal(undefined);
          expect(await store.claimIdentity(identity)).to.deep.equal(identity);
        } else {
          // The gateway that wrote it claimed it for its ledger and KEK.
          expect((await store.getIdentity())!.kek).to.equal(kek.fingerprint);
        }
        const card = {
          id: 'after-upgrad',
          credentialId: made.credentials[1]!.id,
          issuer: made.issuer.id,
          secretHash: 'cd'.repeat(32),
          disclose: ['holder.name'],
          createdAt: '2026-12-01T00:00:00Z',
        };
        await store.putPrintedCard(card);
        expect(await store.getPrintedCard(card.id)).to.deep.equal(card);
        // v11: the SD-JWT recorded before holder keys were indexed is found and indexed (bound to no key);
        // a gateway of v11 or later indexed it at start.
        const sdJwt = made.credentials.find((c) => c.format === 'dc+sd-jwt')!;
        const unindexed = made.schemaVersion < 11 ? [sdJwt.id] : [];
        expect((await store.credentialsWithoutHolderKey(10)).map((r) => r.id)).to.deep.equal(unindexed);
        expect(await indexHolderKeys(store, kek)).to.equal(unindexed.length);
        expect(await store.credentialsWithoutHolderKey(10)).to.deep.equal([]);
        expect(await store.verificationsOf([sdJwt.id], 10)).to.be.an('array');
        expect(
          await store.expiringAnchors(made.issuer.id, '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 10),
        ).to.be.an('array');
        const now = new Date().toISOString();
        const claimed = await store.claimIdempotencyKey({
          principal: made.issuer.id,
          key: 'after-upgrade',
          requestHash: 'ab'.repeat(32),
          createdAt: now,
          leaseUntil: new Date(Date.now() + 60_000).toISOString(),
        });
        expect(claimed).to.equal(undefined);
        const offer = {
          id: 'offer-after-upgrade-000',
          issuer: made.issuer.id,
          configurationId: 'SkillCertificate',
          sealed: kek.seal('{}', 'credential-offer:offer-after-upgrade-000'),
          codeHash: 'cd'.repeat(32),
          pinHash: 'pin',
          pinSalt: 'salt',
          createdAt: now,
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
          failures: 0,
        };
        await store.putOffer(offer);
        expect(await store.findOffer({ codeHash: offer.codeHash })).to.deep.equal(offer);
        // v12: presentation requests, answered once.
        const asked = {
          id: 'request-after-upgrade0',
          verifier: { type: 'verifier' as const, id: 'employer-fixture' },
          request: { nonce: 'n', state: 's', dcql: { credentials: [] } },
          createdAt: now,
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
        };
        await store.putPresentationRequest(asked);
        const answer = { answeredAt: now, answer: kek.seal('{}', `presentation-request:${asked.id}`) };
        expect(await store.answerPresentationRequest(asked.id, answer)).to.equal(true);
        expect(await store.answerPresentationRequest(asked.id, answer)).to.equal(false);
        expect(await store.getPresentationRequest(asked.id)).to.deep.equal({ ...asked, ...answer });
      } finally {
        await store.close();
      }
      const after = new Database(file, { readonly: true });
      expect(after.pragma('user_version', { simple: true }), 'migrated').to.equal(SQLITE_SCHEMA_VERSION);
      after.close();
    });
  }
});
