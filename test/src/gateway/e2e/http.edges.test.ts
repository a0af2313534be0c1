/**
 * The operational edges of the HTTP API: problem+json on every error, request ids,
 * ledger info and blocks (Fabric protobuf and JSON), health and readiness, Prometheus
 * metrics, /openapi.json against the routes the app really serves, and the signed
 * trust list against /.well-known/jwks.json.
 */
import { expect } from 'chai';
import { compactVerify, importJWK, type JWK } from 'jose';
import { after, before, describe, it } from 'mocha';
import { common } from '@hyperledger/fabric-protos';
import { ROUTES } from '@anxin/gateway';
import { createApp, Metrics, StatusListPublisher, TrustList, VerificationLog } from '@anxin/gateway/server';
import pino from 'pino';
import {
  TestGateway,
  decodeJws,
  expectFailed,
  expectProblem,
  expectProblemShape,
  expectVerified,
  type ApiResponse,
  type Loose,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeOnLedgers('e2e: HTTP edges, ledger, operations, OpenAPI, trust list', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let issuer: RegisteredIssuer;
  let cred: Issued;
  let revokedCred: Issued;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    cred = await gw.issue(issuer.apiKey, 'HealthCertificate');
    revokedCred = await gw.issue(issuer.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    expect((await gw.changeStatus(issuer.apiKey, revokedCred.id, 'revoke', 'superseded')).status).to.equal(200);
  });
  after(async () => gw?.stop());

  describe('errors and request ids', () => {
    it('every error answer is application/problem+json with type, title, status, code (and the request id)', async () => {
      const json = { 'content-type': 'application/json' };
      const errors: Array<[ApiResponse, number]> = [
        [await gw.api('GET', '/v1/nothing-here'), 404],
        [await gw.api('GET', '/v1/issuers/urn:anxin:issuer:nobody'), 404],
        [await gw.api('POST', '/v1/verify', { body: { credential: 'x' } }), 401],
        [await gw.api('POST', '/v1/verify', { key: issuer.apiKey, body: { credential: 'x' } }), 403],
        [await gw.api('POST', '/v1/verify', { key: verifier, body: '{', headers: json }), 400],
        [await gw.api('POST', '/v1/verify', { key: verifier, body: { nope: 1 } }), 400],
        [await gw.api('POST', '/v1/verify', { key: verifier }), 400],
        [await gw.api('POST', '/v1/verify', { key: verifier, body: 'x'.repeat(300_000), headers: json }), 413],
        [
          await gw.api('POST', '/v1/verify', {
            key: verifier,
            body: Buffer.from([1, 2, 3]),
            headers: { 'content-type': 'application/octet-stream' },
          }),
          415,
        ],
        [await gw.issueRaw(issuer.apiKey, 'LaborContract'), 403],
        [await gw.changeStatus(issuer.apiKey, revokedCred.id, 'reinstate', 'other'), 409],
        [await gw.api('GET', '/v1/ledger/blocks/999999'), 404],
        [await gw.api('GET', '/v1/ledger/blocks/minus-one'), 400],
        [await gw.api('GET', '/schemas/v1/nope'), 404],
        [await gw.api('DELETE', '/v1/verify', { key: verifier }), 0],
      ];
      for (const [res, status] of errors) {
        if (status) expect(res.status, res.text).to.equal(status);
        else expect(res.status).to.be.within(400, 499);
        expectProblemShape(res);
        expect(res.body.type).to.match(/^https?:\/\/\S+$/);
        const id = res.headers.get('x-request-id');
        expect(id).to.match(UUID);
        expect(res.body.requestId).to.equal(id);
        expect(res.text).not.to.match(/\bat \S+ \(.*:\d+:\d+\)/); // no stack trace
      }
    });

    it('X-Request-Id: a valid incoming id is echoed, an invalid one replaced, a missing one generated', async () => {
      const kept = await gw.api('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc.123_XYZ' } });
      expect(kept.headers.get('x-request-id')).to.equal('trace-abc.123_XYZ');
      const keptOnError = await gw.api('GET', '/v1/nope', { headers: { 'x-request-id': 'trace-err-000001' } });
      expect(keptOnError.headers.get('x-request-id')).to.equal('trace-err-000001');
      expect(keptOnError.body.requestId).to.equal('trace-err-000001');
      for (const bad of ['short', 'has spaces in it', 'x'.repeat(200), 'semi;colon-injection']) {
        const res = await gw.api('GET', '/healthz', { headers: { 'x-request-id': bad } });
        expect(res.headers.get('x-request-id')).to.match(UUID);
      }
      const a = await gw.api('GET', '/healthz');
      const b = await gw.api('GET', '/healthz');
      expect(a.headers.get('x-request-id')).to.match(UUID);
      expect(a.headers.get('x-request-id')).not.to.equal(b.headers.get('x-request-id'));
    });
  });

  describe('ledger', () => {
    it('GET /v1/ledger/info: kind, height, current block hash, projection position', async () => {
      const res = await gw.api('GET', '/v1/ledger/info');
      expect(res.status).to.equal(200);
      expect(res.body.kind).to.equal(ledger);
      expect(res.body.height).to.be.a('number').and.greaterThan(cred.anchor.block);
      expect(res.body.currentBlockHash).to.match(/^[0-9a-f]{64}$/);
      expect(res.body.projectedTo).to.equal(res.body.height);
      const last = await gw.api('GET', `/v1/ledger/blocks/${res.body.height - 1}?format=json`);
      expect(last.body.hash).to.equal(res.body.currentBlockHash);
    });

    it('GET /v1/ledger/blocks/0: Fabric protobuf bytes of a config block', async () => {
      const res = await gw.api('GET', '/v1/ledger/blocks/0');
      expect(res.status).to.equal(200);
      expect(res.contentType).to.match(/^application\/octet-stream/);
      const bytes = res.body as Buffer;
      const block = common.Block.deserializeBinary(new Uint8Array(bytes));
      expect(block.getHeader()!.getNumber()).to.equal(0);
      const envs = block.getData()!.getDataList_asU8();
      expect(envs).to.have.length(1);
      const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envs[0]!).getPayload_asU8());
      const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
      expect(ch.getType()).to.equal(common.HeaderType.CONFIG);
      const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()!;
      const groups = config.getChannelGroup()!.getGroupsMap();
      expect(groups.has('Application')).to.equal(true);
      expect(groups.get('Application')!.getGroupsMap().getLength()).to.be.greaterThan(0);
    });

    it('GET /v1/ledger/blocks/:n?format=json decodes; blocks are hash-chained; the anchor tx is there, with no personal data', async () => {
      const b0 = await gw.api('GET', '/v1/ledger/blocks/0?format=json');
      expect(b0.status).to.equal(200);
      expect(b0.body.number).to.equal(0);
      expect(b0.body.transactions[0].config).to.equal(true);
      const b1 = await gw.api('GET', '/v1/ledger/blocks/1?format=json');
      expect(b1.body.previousHash).to.equal(b0.body.hash);
      const ab = await gw.api('GET', `/v1/ledger/blocks/${cred.anchor.block}?format=json`);
      const tx = ab.body.transactions.find((t: { txId: string }) => t.txId === cred.anchor.txId);
      expect(tx.validation).to.equal('VALID');
      expect(tx.actions[0].function).to.equal('anchor');
      expect(ab.text).to.include(cred.digest);
      expect(ab.text).not.to.include(cred.holder.idNumber);
      expect(ab.text).not.to.include(cred.holder.name);
      expectProblem(await gw.api('GET', '/v1/ledger/blocks/0?format=xml'), 400, 'validation_failed');
      const proto = await gw.api('GET', '/v1/ledger/blocks/0?format=protobuf');
      expect(proto.contentType).to.match(/^application\/octet-stream/);
    });
  });

  describe('operations', () => {
    it('/healthz 200; /readyz 200 with the ledger and the store ok', async () => {
      const h = await gw.api('GET', '/healthz');
      expect(h.status).to.equal(200);
      expect(h.body.status).to.equal('ok');
      const r = await gw.api('GET', '/readyz');
      expect(r.status).to.equal(200);
      expect(r.body.ledger.ok).to.equal(true);
      expect(r.body.store.ok).to.equal(true);
      expect(r.body.store.kind).to.equal('sqlite');
    });

    it('/metrics: Prometheus text with verifications by outcome, requests, latency, ledger height', async () => {
      expectVerified(await gw.verify(verifier, cred.presentation));
      expectVerified(await gw.verify(verifier, cred.presentation));
      expectFailed(await gw.verify(verifier, revokedCred.presentation), 'status', 'revoked');
      expectFailed(await gw.verify(verifier, 'garbage'), 'format', 'unrecognised');
      const res = await gw.api('GET', '/metrics');
      expect(res.status).to.equal(200);
      expect(res.contentType).to.match(/^text\/plain/);
      /** The sum of a metric's samples whose labels include `labels`. */
      const value = (name: string, labels: string) =>
        res.text
          .split('\n')
          .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
          .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      expect(res.text).to.include('# TYPE anxin_verifications_total counter');
      expect(value('anxin_verifications_total', 'outcome="verified"')).to.be.at.least(2);
      expect(value('anxin_verifications_total', 'outcome="status"')).to.be.at.least(1);
      expect(value('anxin_verifications_total', 'outcome="format"')).to.be.at.least(1);
      expect(value('anxin_http_requests_total', 'route="/v1/verify"')).to.be.at.least(4);
      expect(res.text).to.include('anxin_http_request_duration_seconds_bucket');
      expect(res.text).to.match(/^anxin_ledger_height \d+$/m);
      expect(value('anxin_issuances_total', 'type="HealthCertificate"')).to.be.at.least(1);
      // Every committed anchor and registration was timed, by function.
      const committed = (fn: string) =>
        value('anxin_ledger_commit_duration_seconds_count', `function="${fn}",outcome="committed"`);
      expect(committed('anchor')).to.be.at.least(2);
      expect(committed('registerIssuer')).to.be.at.least(1);
      expect(committed('revoke')).to.be.at.least(1);
      expect(res.text).to.match(/^anxin_projection_lag_blocks 0$/m);
      expect(res.text).to.match(/^anxin_projection_lag_seconds 0$/m);
    });
  });

  describe('/openapi.json against the routes served', () => {
    /** Every (method, path) the express app serves, by walking its router stack (express 5). */
    function servedRoutes(): string[] {
      const app = createApp(
        gw.services,
        {
          logger: pino({ level: 'silent' }),
          metrics: new Metrics(),
          trustList: new TrustList(gw.services),
          statusLists: new StatusListPublisher(gw.services),
          verificationLog: new VerificationLog(gw.services.store),
        },
        { bodyLimit: 256 * 1024, rateLimitPerMinute: 1000, rateLimitPerAddressPerMinute: 1000, version: 'test' },
      );
      const out: string[] = [];
      const walk = (stack: Loose[]) => {
        for (const layer of stack) {
          if (layer.route) {
            for (const m of Object.keys(layer.route.methods).filter((x) => x !== '_all')) {
              out.push(`${m.toLowerCase()} ${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
            }
          } else if (layer.handle?.stack) {
            walk(layer.handle.stack);
          }
        }
      };
      walk((app as unknown as { router: { stack: Loose[] } }).router.stack);
      return out.sort();
    }

    it('the document lists exactly the routes the app serves, and ROUTES agrees', async () => {
      const res = await gw.api('GET', '/openapi.json');
      expect(res.status).to.equal(200);
      expect(res.body.openapi).to.match(/^3\.1/);
      const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
        .sort();
      const served = servedRoutes();
      expect(served.length).to.be.greaterThan(20);
      expect(documented).to.deep.equal(served);
      expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).to.deep.equal(served);
      expect(new Set(served).size).to.equal(served.length);
    });

    it('every documented operation answers its documented errors as problem+json and names its security', async () => {
      const res = await gw.api('GET', '/openapi.json');
      for (const r of ROUTES) {
        const op = res.body.paths[r.path][r.method];
        expect(op.responses[String(r.ok.status)], `${r.method} ${r.path}`).to.be.an('object');
        if (r.scope) {
          expect(op.security).to.deep.equal([{ apiKey: [r.scope] }]);
          expect(op.responses['401'].content['application/problem+json']).to.be.an('object');
        } else {
          expect(op.security).to.deep.equal([]);
        }
        if (r.body)
          expect(op.requestBody.content['application/json'].schema.$ref).to.equal(`#/components/schemas/${r.body}`);
      }
      expect(res.body.components.schemas.Problem.required).to.include.members(['type', 'title', 'status', 'code']);
    });

    it('every ROUTES entry is served over HTTP (no "no route" 404): scoped ones answer 401 without a key, public ones 200', async () => {
      const params: Record<string, string> = {
        id: encodeURIComponent(issuer.id),
        keyId: issuer.issuer.keys[0]!.keyId,
        n: '0',
        name: 'api-verify.json',
        file: 'verify.js',
        asset: 'wallet.js',
        slug: issuer.id.slice('urn:anxin:issuer:'.length),
        type: 'HealthCertificate',
        list: (await gw.services.store.statusLists(issuer.id))[0]!.list,
        purpose: 'revocation',
        request: (
          await gw.api<{ id: string }>('POST', '/v1/presentation-requests', {
            key: await gw.verifierKey(),
            body: { preset: 'food_service_shift' },
          })
        ).body.id,
      };
      const credId = encodeURIComponent(cred.id);
      const offer = await gw.api('POST', '/v1/credential-offers', {
        key: issuer.apiKey,
        body: gw.issueBody('HealthCertificate'),
      });
      expect(offer.status, offer.text).to.equal(201);
      // OpenID4VCI's token and credential endpoints answer an empty request with an OAuth error.
      const oauth = new Set(['post /v1/oid4vci/token', 'post /v1/oid4vci/credential']);
      for (const r of ROUTES) {
        let path = r.path.startsWith('/v1/credentials/{id}') ? r.path.replace('{id}', credId) : r.path;
        if (path.startsWith('/v1/credential-offers/{id}')) path = path.replace('{id}', offer.body.offerId as string);
        path = path.replace(/\{(\w+)\}/g, (_m, k: string) => params[k]!);
        if (r.ok.status >= 300 && r.ok.status < 400) {
          // A redirect is judged as served, not followed.
          const res = await fetch(`${gw.url}${path}`, { method: r.method.toUpperCase(), redirect: 'manual' });
          expect(res.status, `${r.method} ${r.path}`).to.equal(r.ok.status);
          continue;
        }
        const res = await gw.api(r.method.toUpperCase(), path, r.body ? { body: {} } : {});
        const what = `${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 120)}`;
        if (r.scope) {
          expect(res.status, what).to.equal(401);
          expect(res.body.code, what).to.equal('unauthorized');
        } else if (r.path === '/oid4vp/responses/{request}') {
          // A wallet's answer is a form with the request's state; anything else is OAuth's invalid_request.
          expect(res.status, what).to.equal(400);
          expect(res.body.error, what).to.equal('invalid_request');
        } else if (r.body && r.method === 'post') {
          // A public route with a body (the worker's receipts) is served: an empty body is refused by its schema.
          expect(res.status, what).to.equal(400);
          expect(res.body.code, what).to.equal('validation_failed');
        } else if (oauth.has(`${r.method} ${r.path}`)) {
          expect(res.status, what).to.be.oneOf([400, 401]);
          expect(res.body.error, what).to.be.a('string');
        } else {
          expect(res.status, what).to.equal(r.ok.status);
          if (r.ok.mediaType) expect(res.contentType, what).to.include(r.ok.mediaType);
        }
      }
    });

    it('a credential’s credentialSchema id resolves at /schemas/v1/…', async () => {
      const schemaId = decodeJws(cred.credential).payload.credentialSchema.id as string;
      const name = schemaId.slice(schemaId.lastIndexOf('/') + 1);
      const res = await gw.api('GET', `/schemas/v1/${name}`);
      expect(res.status).to.equal(200);
      expect(res.contentType).to.match(/^application\/schema\+json/);
      expect(JSON.parse(res.text).$id).to.equal(schemaId);
    });
  });

  describe('trust list', () => {
    it('is a JWS that verifies with the gateway key from /.well-known/jwks.json, listing the issuer and its keys', async () => {
      const tl = await gw.api('GET', '/v1/trust-list');
      expect(tl.status).to.equal(200);
      const jwks = await gw.api('GET', '/.well-known/jwks.json');
      expect(jwks.status).to.equal(200);
      const { header } = decodeJws(tl.body.trustList);
      expect(header.kid).to.equal(tl.body.kid);
      const jwk = (jwks.body.keys as Array<JWK & { kid: string; alg: string }>).find((k) => k.kid === header.kid);
      expect(jwk, 'the signing key is in the JWKS').to.not.equal(undefined);
      expect(jwk).not.to.have.property('d');
      const { payload } = await compactVerify(tl.body.trustList, await importJWK(jwk!, jwk!.alg), {
        algorithms: ['ES256', 'EdDSA'],
      });
      const list = JSON.parse(Buffer.from(payload).toString('utf8'));
      const listed = list.issuers.find((i: { id: string }) => i.id === issuer.id);
      expect(listed).to.include({ id: issuer.id, status: 'active' });
      expect(listed.allowedTypes).to.deep.equal(['HealthCertificate']);
      expect(listed.keys.map((k: { kid: string; publicJwk: object }) => [k.kid, k.publicJwk])).to.deep.equal(
        issuer.issuer.keys.map((k) => [k.kid, k.publicJwk]),
      );
      expect(list.ledger.height).to.be.a('number');
    });

    it('changes when the registry changes (a rotated key appears), and is served raw for Accept: application/jwt', async () => {
      const before1 = (await gw.api('GET', '/v1/trust-list')).body.trustList;
      const rot = await gw.api('POST', `/v1/issuers/${encodeURIComponent(issuer.id)}/keys`, {
        key: gw.adminKey,
        body: {},
      });
      expect(rot.status).to.equal(201);
      const after1 = await gw.api('GET', '/v1/trust-list');
      expect(after1.body.trustList).not.to.equal(before1);
      const list = decodeJws(after1.body.trustList).payload;
      const listed = list.issuers.find((i: { id: string }) => i.id === issuer.id);
      expect(listed.keys).to.have.length(2);
      expect(listed.keys[0].retiredAt).to.be.a('string');
      const raw = await gw.api('GET', '/v1/trust-list', { headers: { accept: 'application/jwt' } });
      expect(raw.contentType).to.match(/^application\/jwt/);
      expect(raw.text).to.equal(after1.body.trustList);
    });
  });
});
