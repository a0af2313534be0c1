/**
 * A stranger's did:web resolver finds an issuer's keys: web-did-resolver (with did-resolver)
 * resolves `did:web:<host>%3A<port>:issuers:<slug>` as the did:web method says — to
 * `https://<host>:<port>/issuers/<slug>/did.json`, refusing a document whose id is not the
 * DID — and did-jwt's `verifyJWS` checks a `vc+jwt` credential against the verification
 * methods the document lists for assertions.
 *
 * did:web is https only: the gateway runs behind a local HTTPS server (a self-signed
 * certificate made by openssl) whose URL is its public URL, and the resolver runs in a child
 * process that trusts that certificate through NODE_EXTRA_CA_CERTS — nothing is injected into
 * the libraries.
 *
 * The credential itself names its issuer by URL, not by DID (VC-JOSE-COSE asks for none), so
 * a DID-only verifier such as did-jwt-vc, which takes the DID from `iss`, cannot start from the
 * credential: the did:web is found from the issuer's slug, and its document says it is the same
 * issuer (`alsoKnownAs`).
 */
import { execFileSync, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { tempDir } from '../../helpers/tmp';
import { TestGateway, describeOnLedgers, type RegisteredIssuer } from '../../helpers/gateway';

/** What the child process reports: the resolution, and the verification method that verified the JWS. */
interface Resolved {
  didResolutionMetadata: { error?: string; message?: string };
  didDocument: { id: string; alsoKnownAs?: string[]; verificationMethod: Array<{ id: string }> } | null;
  verifiedBy?: string;
  verifyError?: string;
}

/**
 * Resolve `did` and verify `jws` with the libraries alone, in a process that trusts `ca`. An
 * ES module run from the test package's directory, so that its imports are the test's
 * devDependencies.
 */
async function resolveAndVerify(ca: string, did: string, jws: string): Promise<Resolved> {
  const script = `
    import { Resolver } from 'did-resolver';
    import { getResolver } from 'web-did-resolver';
    import { verifyJWS } from 'did-jwt';
    const [did, jws] = process.argv.slice(-2);
    const resolved = await new Resolver(getResolver()).resolve(did);
    const out = { didResolutionMetadata: resolved.didResolutionMetadata, didDocument: resolved.didDocument };
    try {
      const doc = resolved.didDocument;
      const assertion = doc.verificationMethod.filter((m) => doc.assertionMethod.includes(m.id));
      out.verifiedBy = verifyJWS(jws, assertion).id;
    } catch (e) {
      out.verifyError = String(e && e.message);
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, '--', did, jws],
    { cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, NODE_EXTRA_CA_CERTS: ca }, timeout: 30_000 },
  );
  return JSON.parse(stdout) as Resolved;
}

describeOnLedgers('e2e: an independent did:web resolver (web-did-resolver, did-jwt)', function (ledger) {
  let gw: TestGateway;
  let tls: Server;
  let clinic: RegisteredIssuer;
  let cert: string;
  let publicUrl: string;

  before(async () => {
    const dir = tempDir('tls');
    cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' }); // prettier-ignore
    // The HTTPS front of the gateway: every request passed on as it came.
    let target = 0;
    tls = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      const up = httpRequest(
        { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    publicUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    gw = await TestGateway.start({ ledger, env: { ANXIN_PUBLIC_URL: publicUrl } });
    target = Number(new URL(gw.url).port);
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => {
    await gw?.stop();
    await new Promise((r) => tls?.close(r));
  });

  const slug = () => clinic.id.slice(clinic.id.lastIndexOf(':') + 1);
  const didOf = (s: string) => `did:web:${encodeURIComponent(new URL(publicUrl).host)}:issuers:${s}`;

  it('resolves the issuer’s did:web over HTTPS and verifies a vc+jwt with its assertion key', async () => {
    const c = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const header = JSON.parse(Buffer.from(c.credential.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const payload = JSON.parse(Buffer.from(c.credential.split('.')[1]!, 'base64url').toString()) as {
      issuer: { id: string };
    };
    expect(payload.issuer.id).to.equal(`${publicUrl}/issuers/${slug()}`);

    const did = didOf(slug());
    const out = await resolveAndVerify(cert, did, c.credential);
    expect(out.didResolutionMetadata.error, out.didResolutionMetadata.message).to.equal(undefined);
    expect(out.didDocument!.id).to.equal(did);
    expect(out.didDocument!.alsoKnownAs, 'the DID is the issuer of the credential').to.include(payload.issuer.id);
    expect(out.verifyError).to.equal(undefined);
    // The same key as the credential's kid names, under the DID.
    expect(out.verifiedBy).to.equal(`${did}${header.kid.slice(header.kid.indexOf('#'))}`);
  });

  it('a credential of another issuer does not verify with this issuer’s did:web keys', async () => {
    const other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    const c = await gw.issue(other.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    const out = await resolveAndVerify(cert, didOf(slug()), c.credential);
    expect(out.didResolutionMetadata.error).to.equal(undefined);
    expect(out.verifiedBy).to.equal(undefined);
    expect(out.verifyError).to.be.a('string');
  });

  it('an unknown slug does not resolve', async () => {
    const out = await resolveAndVerify(cert, didOf('no-such-issuer'), 'x.y.z');
    expect(out.didResolutionMetadata.error).to.equal('notFound');
  });
});
