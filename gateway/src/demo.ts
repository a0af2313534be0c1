#!/usr/bin/env node
/**
 * `npm run demo`: the first round trip against a running gateway, by itself — register
 * a health authority, a training body and a labor platform; give a restaurant a
 * verifier key; issue one credential of each type (the health certificate bound to the
 * worker's device key, which the phone proves it holds); verify; show a work card that
 * discloses four fields, then one signed live for the restaurant's challenge (a replay and
 * a copy without the phone's signature fail); suspend, revoke; verify again. Reads the
 * admin key from $ANXIN_DATA_DIR/admin.key (./data/admin.key).
 *
 *   ANXIN_URL=http://127.0.0.1:8080 npm run demo
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  healthCertificateSubjectSchema,
  holderIdentitySchema,
  laborContractSubjectSchema,
  skillCertificateSubjectSchema,
} from '@anxin/schemas';
import { presentCredential } from './services/workcard/present';
import { holderProofJwt } from './services/workcard/proof';
import { workCardText } from './services/workcard/qr';

const base = (process.env.ANXIN_URL ?? `http://127.0.0.1:${process.env.ANXIN_PORT ?? 8080}`).replace(/\/+$/, '');
const dataDir = resolve(process.env.ANXIN_DATA_DIR ?? './data');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field below
type Json = any;

async function call(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(r: { status: number; json: Json }, status: number, what: string): Json {
  if (r.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${r.status}: ${JSON.stringify(r.json)}`);
  }
  return r.json;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

/** The last day of a one-year validity starting on `date` (YYYY-MM-DD): a year later, less a day. */
function oneYearFrom(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function verdict(report: Json): string {
  if (report.verified) return '✔ verified';
  const r = report.reasons[0];
  return `✘ not verified — ${r.check}: ${r.code}`;
}

async function main(): Promise<void> {
  let admin: string;
  try {
    admin = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
  } catch {
    throw new Error(
      `no admin key at ${join(dataDir, 'admin.key')}: start the gateway first (npm start), or set ANXIN_DATA_DIR`,
    );
  }
  const run = randomBytes(3).toString('hex');
  say(`Anxin demo against ${base} (run ${run})\n`);

  // Each issuer's USCC is the one its credentials name (the examples' issuing authority, certifying body, platform).
  const register = async (name: string, kind: string, type: string, uscc: string) => {
    const r = expectStatus(
      await call('POST', '/v1/issuers', admin, {
        name,
        kind,
        allowedTypes: [type],
        uscc,
        slug: `demo-${kind.replace('_', '-')}-${run}`,
      }),
      201,
      `register ${name}`,
    );
    say(`registered issuer ${r.issuer.id} (${name}), may issue ${type}`);
    return r.apiKey as string;
  };
  const health0 = healthCertificateSubjectSchema.examples[0];
  const skill0 = skillCertificateSubjectSchema.examples[0];
  const labor0 = laborContractSubjectSchema.examples[0];
  const cdc = await register(
    health0.issuingAuthority.name,
    'health_authority',
    'HealthCertificate',
    health0.issuingAuthority.uscc,
  );
  const school = await register(
    skill0.certifyingBody.name,
    'training_body',
    'SkillCertificate',
    skill0.certifyingBody.uscc,
  );
  const platform = await register(labor0.platform.name, 'platform', 'LaborContract', labor0.platform.uscc);
  const verifier = expectStatus(
    await call('POST', '/v1/api-keys', admin, {
      principal: { type: 'verifier', id: `hotpot-chunxi-${run}` },
      scopes: ['verify'],
      label: '春熙路店 前台',
    }),
    201,
    'verifier key',
  ).apiKey as string;
  say(`verifier key for the hot-pot restaurant: ${verifier.slice(0, 20)}…\n`);

  const holder = holderIdentitySchema.examples[0];
  // The worker's phone holds a key of its own; the health certificate is bound to it, once the
  // phone has shown it holds that key: a proof signed over a fresh c_nonce from the gateway.
  const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const holderKey = device.privateKey.export({ format: 'jwk' });
  // The proof is addressed to the gateway as it names itself (its public URL), which may
  // differ from the address this demo reaches it at.
  const issuerUrl = expectStatus(await call('GET', '/openapi.json', undefined), 200, 'openapi').servers[0]
    .url as string;
  const binding = async () => {
    const { c_nonce } = expectStatus(await call('POST', '/v1/nonce', undefined), 200, 'c_nonce');
    return holderProofJwt({ holderKey, aud: issuerUrl, nonce: c_nonce as string });
  };
  const issue = async (key: string, type: string, subject: unknown, format = 'vc+jwt') => {
    const r = expectStatus(
      await call('POST', '/v1/credentials', key, {
        type,
        holder,
        subject,
        format,
        ...(format === 'dc+sd-jwt' ? await binding() : {}),
      }),
      201,
      `issue ${type}`,
    );
    say(`issued ${type} ${r.id} as ${format}: anchored in block ${r.anchor.block}, tx ${r.anchor.txId.slice(0, 16)}…`);
    return r as { id: string; credential: string };
  };
  // Today, in China's calendar: the day of the examination and of the shift. The schemas'
  // examples carry fixed dates; a health certificate lasts a year at most, so the demo's is
  // dated from today and stays valid whenever the demo runs.
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const health = await issue(
    cdc,
    'HealthCertificate',
    {
      ...health0,
      examDate: today,
      validity: { from: today, until: oneYearFrom(today) },
    },
    'dc+sd-jwt',
  );
  const skill = await issue(school, 'SkillCertificate', skill0);
  const contract = await issue(platform, 'LaborContract', {
    ...labor0,
    term: { startDate: today, endDate: today, openEnded: false },
    signing: { method: 'face_verified_esignature', signedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
  });

  const verify = async (label: string, c: { credential: string }, challenge?: string) => {
    const report = expectStatus(
      await call('POST', '/v1/verify', verifier, { credential: c.credential, ...(challenge ? { challenge } : {}) }),
      200,
      'verify',
    );
    say(`  ${label.padEnd(28)} ${verdict(report)}`);
    return report;
  };
  // The health certificate is bound to the phone: it is shown as a work card the phone signs
  // (the issued text alone is not the worker showing it, and would disclose everything).
  const FOUR = [
    'holder.name',
    'healthCertificate.categories',
    'healthCertificate.validity',
    'healthCertificate.result',
  ];
  const healthCard = async (o: { nonce?: string; audience?: string } = {}) => ({
    credential: (await presentCredential(health.credential, { disclose: FOUR, holderKey, ...o })).presentation,
  });
  say('\nThe restaurant verifies (the health certificate as a work card from the phone):');
  await verify('health certificate', await healthCard());
  await verify('skill certificate', skill);
  const onBehalf = (await verify('labor contract', contract)).credential.issuer.onBehalfOf;
  say(
    `  issued by the platform on behalf of ${onBehalf.name} (${onBehalf.uscc}): ${onBehalf.registeredAs.length ? `registered as ${onBehalf.registeredAs.map((i: { id: string }) => i.id).join(', ')}` : 'not a registered issuer'}`,
  );

  say('\nThe worker shows a work card: name, categories, validity and result only, signed by the phone:');
  const card = await presentCredential(health.credential, { disclose: FOUR, holderKey });
  const link = workCardText(card.presentation, `${base}/verify`);
  const shown = await verify('work card', { credential: link });
  say(`  the restaurant sees: ${JSON.stringify(shown.credential.disclosed)}`);
  say(`  withheld: ${card.withheld.join(', ')}; the card expires at ${card.expiresAt}`);
  say('  open this link in a browser before then (the verifier page asks for the verifier key once):');
  say(link);

  say('\nThe restaurant asks the phone to answer its own challenge (online; an answer counts once):');
  const challenge = expectStatus(await call('POST', '/v1/verify/challenges', verifier, {}), 201, 'challenge');
  say(`  challenge ${challenge.nonce} for ${challenge.aud}, until ${challenge.expiresAt}`);
  const live = await healthCard({ nonce: challenge.nonce, audience: challenge.aud });
  const answered = await verify('work card, signed live', live, challenge.nonce);
  say(`  presentation: ${answered.presentation.binding}`);
  await verify('the same answer again', live, challenge.nonce);
  const copy = { credential: live.credential.slice(0, live.credential.lastIndexOf('~') + 1) };
  await verify('a copy (no phone signature)', copy);
  say('\nThe clinic suspends the health certificate (re-examination pending); the platform revokes the contract:');
  const s = expectStatus(
    await call('POST', `/v1/credentials/${health.id}/suspend`, cdc, { reason: 're_examination_pending' }),
    200,
    'suspend',
  );
  say(
    `  suspended in block ${s.anchor.block}; verifiers to tell: ${s.recentVerifiers.map((v: { verifier: string }) => v.verifier).join(', ')}`,
  );
  expectStatus(
    await call('POST', `/v1/credentials/${contract.id}/revoke`, platform, { reason: 'contract_terminated' }),
    200,
    'revoke',
  );
  await verify('health certificate', await healthCard());
  await verify('labor contract', contract);

  say('\nRe-examination passed: the clinic reinstates it.');
  expectStatus(
    await call('POST', `/v1/credentials/${health.id}/reinstate`, cdc, { reason: 're_examination_passed' }),
    200,
    'reinstate',
  );
  await verify('health certificate', await healthCard());

  const status = expectStatus(await call('GET', `/v1/credentials/${contract.id}/status`, undefined), 200, 'status');
  say(`\nPublic status of the contract (no personal data): ${JSON.stringify(status)}`);
  const info = expectStatus(await call('GET', '/v1/ledger/info', undefined), 200, 'ledger info');
  say(`Ledger height ${info.height}, current block hash ${info.currentBlockHash.slice(0, 16)}…`);
}

main().catch((e: Error) => {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exit(1);
});
