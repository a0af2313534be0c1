/**
 * A corpus of presented credentials, good and hostile, made against a real gateway: issued,
 * revoked, suspended, expired, bound and shown with a key-binding JWT (ES256 and EdDSA
 * devices), by a key since retired and then compromised (before and after), forged (unknown key, `none`, HS256, another
 * issuer, a type the issuer's kind may never issue, a broken schema), tampered, malleated,
 * truncated, garbage, too large; SD-JWTs with altered, repeated, foreign or too many
 * disclosures, the holder commitment disclosed, a bound one without its key-binding JWT.
 * Each item may carry the verifier's options and its own instant of checking.
 *
 * @example
 * const corpus = await verificationCorpus(gw);
 * for (const item of corpus) await verifyCredential(item.input, deps(item.now), item.opts);
 */
import { randomBytes } from 'node:crypto';
import { CompactSign, generateKeyPair } from 'jose';
import { buildCredential, issueSdJwt, signVcJwt } from '@anxin/gateway/credentials';
import { presentCredential, workCardText } from '@anxin/gateway/workcard';
import type { VerifyOptions } from '@anxin/gateway/verify';
import type { StatementSigner } from '@anxin/chaincode/rules';
import type { CredentialType } from '@anxin/schemas';
import {
  DAY,
  alterJwsPayload,
  decodeJws,
  deviceKey,
  disclosuresOf,
  exampleHolder,
  exampleSubject,
  forgedDisclosure,
  isoFromNow,
  presentWith,
  withoutCommitment,
  type RegisteredIssuer,
  type TestGateway,
} from './gateway';
import { USCC_OF_KIND, hs256Jws, malleate, noneJws } from './statements';

export interface CorpusItem {
  name: string;
  input: string;
  opts?: VerifyOptions;
  /** The instant of checking (RFC 3339); the corpus's own when absent. */
  now?: string;
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** The custodial signer of an issuer's newest key. */
async function signerOf(gw: TestGateway, issuer: RegisteredIssuer): Promise<StatementSigner> {
  const keys = gw.issuerRecord(issuer.id).keys;
  const signer = await gw.services.keys.signer(keys[keys.length - 1]!.kid);
  if (!signer) throw new Error(`no custodial signer for ${issuer.id}`);
  return signer;
}

/** A credential built and signed with the issuer's real key but never anchored: `change` breaks it first. */
async function signedUnanchored(
  gw: TestGateway,
  issuer: RegisteredIssuer,
  format: 'vc+jwt' | 'dc+sd-jwt',
  type: CredentialType,
  change: (vc: { credentialSubject: Record<string, unknown> }) => void = () => undefined,
): Promise<string> {
  const vc = buildCredential(
    {
      type,
      holder: exampleHolder(),
      subject: exampleSubject(type),
      validFrom: isoFromNow(-DAY),
      validUntil: isoFromNow(90 * DAY),
    },
    gw.issuerRecord(issuer.id),
    gw.services.publicUrl,
  );
  change(vc as unknown as { credentialSubject: Record<string, unknown> });
  const signer = await signerOf(gw, issuer);
  return format === 'vc+jwt' ? signVcJwt(vc, signer) : withoutCommitment((await issueSdJwt(vc, signer)).sdJwt);
}

/** What a truncation, garbage and size limit look like, whatever the credential. */
function malformed(good: string): CorpusItem[] {
  const [h, p, s] = good.split('.') as [string, string, string];
  const invalidUtf8 = b64u(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
  return [
    { name: 'empty', input: '' },
    { name: 'white space', input: ' \n\t ' },
    { name: 'prose', input: 'hello, I am a certificate' },
    { name: 'JSON', input: '{"credential":"yes"}' },
    { name: 'three dots', input: 'a.b.c' },
    { name: 'controls and non-characters', input: '\u0000\u0007\uffff\ud800.x.y' },
    { name: 'truncated in the header', input: good.slice(0, 20) },
    { name: 'truncated in the payload', input: good.slice(0, h.length + 1 + Math.floor(p.length / 2)) },
    { name: 'truncated in the signature', input: good.slice(0, good.length - 10) },
    { name: 'no signature', input: `${h}.${p}.` },
    { name: 'header not JSON', input: `${b64u('not json')}.${p}.${s}` },
    { name: 'header not UTF-8', input: `${invalidUtf8}.${p}.${s}` },
    { name: 'header an array', input: `${b64u('["alg"]')}.${p}.${s}` },
    { name: 'header one character too long (no whole byte)', input: `${h}A.${p}.${s}` },
    { name: 'payload not an object', input: `${h}.${b64u('42')}.${s}` },
    { name: 'unknown typ', input: `${b64u(JSON.stringify({ ...decodeJws(good).header, typ: 'JWT' }))}.${p}.${s}` },
    { name: 'too large', input: `${good}${'A'.repeat(65536)}` },
    { name: 'QR text around garbage', input: 'ANXIN:definitely not a credential' },
    { name: 'a link without a credential', input: 'https://verify.example.cn/verify#' },
  ];
}

/**
 * The corpus, made on `gw`; the now it was made at is the default instant of checking. The
 * health authority's first key (ES256) ends up retired, and compromised since a moment between
 * its credentials; its second is EdDSA; the platform ends up suspended.
 */
export async function verificationCorpus(gw: TestGateway): Promise<{ items: CorpusItem[]; now: string }> {
  const items: CorpusItem[] = [];
  const add = (name: string, input: string, more: Omit<CorpusItem, 'name' | 'input'> = {}) =>
    items.push({ name, input, ...more });
  const health = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
  const es256 = deviceKey('ES256');
  const ed25519 = deviceKey('EdDSA');

  // Issued by the first (ES256) key, which is then retired: it still verifies what it signed.
  const vc = await gw.issue(health.apiKey, 'HealthCertificate');
  const sd = await gw.issue(health.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
  const bound = await gw.issue(health.apiKey, 'HealthCertificate', {
    format: 'dc+sd-jwt',
    holderKey: es256.privateJwk,
  });
  // The first key is declared compromised from here on (below): what it anchored before still verifies.
  await new Promise((r) => setTimeout(r, 5));
  const compromisedSince = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  const revoked = await gw.issue(health.apiKey, 'HealthCertificate');
  const suspended = await gw.issue(health.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
  await gw.changeStatus(health.apiKey, revoked.id, 'revoke', 're_examination_failed');
  await gw.changeStatus(health.apiKey, suspended.id, 'suspend', 're_examination_pending');
  const forgedBeforeRotation = await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate');
  const rotated = await gw.api('POST', `/v1/issuers/${encodeURIComponent(health.id)}/keys`, {
    key: gw.adminKey,
    body: { alg: 'EdDSA' },
  });
  if (rotated.status !== 201) throw new Error(`rotate: ${rotated.text}`);

  // Issued by the EdDSA key, bound to an Ed25519 device.
  const edVc = await gw.issue(health.apiKey, 'HealthCertificate');
  const edBound = await gw.issue(health.apiKey, 'HealthCertificate', {
    format: 'dc+sd-jwt',
    holderKey: ed25519.privateJwk,
  });
  const contract = await gw.issue(platform.apiKey, 'LaborContract', { format: 'dc+sd-jwt' });
  const contractVc = await gw.issue(platform.apiKey, 'LaborContract');

  add('vc+jwt, issued (ES256, key since retired)', vc.credential);
  add('vc+jwt, issued (EdDSA)', edVc.credential);
  add('vc+jwt as QR text', `ANXIN:${vc.credential}`);
  add('SD-JWT, everything shown but the commitment', sd.presentation);
  add('SD-JWT as a verifier link', workCardText(sd.presentation, 'https://verify.example.cn/verify'));
  add(
    'SD-JWT, only the name shown',
    presentWith(sd.credential, (d) => d.name === 'name'),
  );
  add(
    'SD-JWT, nothing shown',
    presentWith(sd.credential, () => false),
  );
  add('SD-JWT, the holder commitment disclosed', sd.credential);
  add("a platform's contract, as SD-JWT", contract.presentation);
  add(
    "a platform's contract, the employer withheld",
    presentWith(contract.credential, (d) => !['employer', 'salt', 'ref'].includes(d.name ?? '')),
  );
  add("a platform's contract, as vc+jwt", contractVc.credential);
  add('revoked', revoked.credential);
  add('suspended', suspended.presentation);
  add('expired (checked in 200 days)', vc.credential, { now: isoFromNow(200 * DAY) });
  add('not yet valid (checked two days ago)', vc.credential, { now: isoFromNow(-2 * DAY) });

  const disclose = ['holder.name', 'healthCertificate.validity', 'healthCertificate.result'];
  const stat = await presentCredential(bound.credential, { disclose, holderKey: es256.privateJwk });
  const asked = await presentCredential(bound.credential, {
    disclose,
    holderKey: es256.privateJwk,
    nonce: 'n-0630-chengdu',
    audience: 'https://hr.example.cn',
  });
  const ed = await presentCredential(edBound.credential, { disclose, holderKey: ed25519.privateJwk });
  add('bound, static key binding (ES256 device)', stat.presentation);
  add('bound, static key binding (Ed25519 device)', ed.presentation);
  add('bound, as compact QR text (AX1:, ES256 device)', workCardText(stat.presentation));
  add('bound, as compact QR text (AX1:, Ed25519 device)', workCardText(ed.presentation));
  add('bound, as the old QR text (ANXIN:)', `ANXIN:${stat.presentation}`);
  add(
    'bound, without its key-binding JWT',
    presentWith(bound.credential, (d) => d.name === 'name'),
  );
  add('bound, key binding stale (checked 10 minutes later)', stat.presentation, { now: isoFromNow(10 * 60_000) });
  add('bound, key binding from the future (checked 5 minutes earlier)', stat.presentation, {
    now: isoFromNow(-5 * 60_000),
  });
  add('bound, answering the nonce and audience asked', asked.presentation, {
    opts: { nonce: 'n-0630-chengdu', audience: 'https://hr.example.cn' },
  });
  add('bound, another nonce asked', asked.presentation, { opts: { nonce: 'n-other' } });
  add('bound, another audience asked', asked.presentation, { opts: { audience: 'https://other.example.cn' } });
  add('bound, answering the challenge', asked.presentation, {
    opts: { challenge: { usable: true, nonce: 'n-0630-chengdu', aud: 'https://hr.example.cn' } },
  });
  add('bound, a challenge of another audience', asked.presentation, {
    opts: { challenge: { usable: true, nonce: 'n-0630-chengdu', aud: 'https://other.example.cn' } },
  });
  for (const why of ['unknown', 'expired', 'used', 'not_yours'] as const)
    add(`bound, a challenge that was ${why}`, asked.presentation, { opts: { challenge: { usable: false, why } } });
  const kbOf = (presentation: string) => presentation.slice(presentation.lastIndexOf('~') + 1);
  const withoutKb = (presentation: string) => presentation.slice(0, presentation.lastIndexOf('~') + 1);
  add('bound, the key-binding JWT of another presentation', `${withoutKb(stat.presentation)}${kbOf(ed.presentation)}`);
  add('unbound, with a key-binding JWT', `${sd.presentation}${kbOf(stat.presentation)}`);

  // Disclosures.
  const shown = sd.presentation.split('~');
  add('SD-JWT, a disclosure altered', `${shown[0]}~${forgedDisclosure('name', '李四')}~${shown.slice(2).join('~')}`);
  add('SD-JWT, a disclosure repeated', `${shown[0]}~${shown[1]}~${shown.slice(1).join('~')}`);
  add('SD-JWT, a disclosure of another credential', `${shown[0]}~${edBound.credential.split('~')[1]}~`);
  add('SD-JWT, a disclosure not base64url', `${shown[0]}~not*base64~`);
  add('SD-JWT, a thousand forged disclosures', `${shown[0]}~${Array(1000).fill(forgedDisclosure('x', 1)).join('~')}~`);
  add('SD-JWT, a key-binding JWT that is not a JWS', `${sd.presentation}not-a-jws`);
  add(
    'SD-JWT, disclosures in another order',
    `${shown[0]}~${disclosuresOf(sd.presentation)
      .map((d) => d.encoded)
      .reverse()
      .join('~')}~`,
  );

  // Forgeries and tampering.
  const header = decodeJws(vc.credential).header;
  const payload = decodeJws(vc.credential).payload;
  const stranger = await generateKeyPair('ES256');
  const unknownKid = `${health.id}#${b64u(randomBytes(32))}`;
  add(
    'signed by a key the issuer never registered',
    await new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: 'ES256', kid: unknownKid })
      .sign(stranger.privateKey),
  );
  add(
    'signed by an issuer never registered',
    await new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: 'ES256', kid: `did:web:nobody.example.cn#${b64u(randomBytes(32))}` })
      .sign(stranger.privateKey),
  );
  add('alg none', noneJws(header, payload));
  add('alg none with a signature', noneJws(header, payload, b64u(randomBytes(64))));
  add(
    'HS256 keyed with the public key',
    hs256Jws(header, payload, Buffer.from(JSON.stringify(health.issuer.keys[0]!.publicJwk))),
  );
  add(
    'RS256 claimed',
    `${b64u(JSON.stringify({ ...header, alg: 'RS256' }))}.${vc.credential.split('.').slice(1).join('.')}`,
  );
  add(
    'EdDSA claimed for an ES256 key',
    `${b64u(JSON.stringify({ ...header, alg: 'EdDSA' }))}.${vc.credential.split('.').slice(1).join('.')}`,
  );
  add(
    'a kid without a key id',
    `${b64u(JSON.stringify({ ...header, kid: health.id }))}.${vc.credential.split('.').slice(1).join('.')}`,
  );
  add(
    'payload altered after signing',
    alterJwsPayload(vc.credential, (p) => (p.validUntil = isoFromNow(3650 * DAY))),
  );
  add(
    'SD-JWT payload altered after signing',
    alterJwsPayload(sd.presentation, (p) => (p.exp = 4_102_444_800)),
  );
  add('signature malleated (s → n − s)', malleate(vc.credential));
  add(
    'signature of another credential',
    `${vc.credential.split('.').slice(0, 2).join('.')}.${revoked.credential.split('.')[2]}`,
  );
  add('well signed, never anchored (before the key was retired)', forgedBeforeRotation);
  add('well signed, never anchored', await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate'));
  add('well signed, never anchored, as SD-JWT', await signedUnanchored(gw, health, 'dc+sd-jwt', 'HealthCertificate'));
  add(
    'well signed, a broken schema',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      (c.credentialSubject.healthCertificate as Record<string, unknown>).result = 'excellent';
    }),
  );
  add(
    'well signed SD-JWT, a broken member',
    await signedUnanchored(gw, health, 'dc+sd-jwt', 'HealthCertificate', (c) => {
      (c.credentialSubject.healthCertificate as Record<string, unknown>).examDate = 'yesterday';
    }),
  );
  add(
    'well signed SD-JWT, a member its type does not have',
    await signedUnanchored(gw, health, 'dc+sd-jwt', 'HealthCertificate', (c) => {
      (c.credentialSubject.healthCertificate as Record<string, unknown>).bloodType = 'O';
    }),
  );
  add(
    'well signed, a name that is not one line of text',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      (c.credentialSubject.holder as { name: string }).name = '张\u202E伟';
    }),
  );
  add(
    'well signed SD-JWT, an authority name that is not one line of text',
    await signedUnanchored(gw, health, 'dc+sd-jwt', 'HealthCertificate', (c) => {
      const subject = c.credentialSubject.healthCertificate as { issuingAuthority: { name: string } };
      subject.issuingAuthority.name = ' 成都市疾控中心';
    }),
  );
  add(
    'well signed, a USCC with a wrong check character',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      const subject = c.credentialSubject.healthCertificate as { issuingAuthority: { uscc: string } };
      const u = subject.issuingAuthority.uscc;
      subject.issuingAuthority.uscc = u.slice(0, 17) + (u.endsWith('0') ? '1' : '0');
    }),
  );
  add(
    'well signed, naming another issuer',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      (c as unknown as { issuer: { id: string } }).issuer.id = platform.id;
    }),
  );
  add(
    'well signed, naming another issuing authority',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      const subject = c.credentialSubject.healthCertificate as { issuingAuthority: { uscc: string } };
      subject.issuingAuthority.uscc = USCC_OF_KIND.employer;
    }),
  );
  add('well signed, a type its kind may never issue', await signedUnanchored(gw, health, 'vc+jwt', 'SkillCertificate'));
  add('well signed by the platform, never anchored', await signedUnanchored(gw, platform, 'vc+jwt', 'LaborContract'));
  add(
    'anchored id, other content, well signed',
    await signedUnanchored(gw, health, 'vc+jwt', 'HealthCertificate', (c) => {
      (c as unknown as { id: string }).id = edVc.id;
    }),
  );
  items.push(...malformed(vc.credential));

  const compromised = await gw.api(
    'POST',
    `/v1/issuers/${encodeURIComponent(health.id)}/keys/${health.issuer.keys[0]!.keyId}/compromised`,
    { key: gw.adminKey, body: { compromisedSince } },
  );
  if (compromised.status !== 200) throw new Error(`compromised: ${compromised.text}`);
  const paused = await gw.api('PATCH', `/v1/issuers/${encodeURIComponent(platform.id)}`, {
    key: gw.adminKey,
    body: { status: 'suspended' },
  });
  if (paused.status !== 200) throw new Error(`suspend issuer: ${paused.text}`);
  return { items, now: new Date().toISOString() };
}
