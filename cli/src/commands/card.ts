/**
 * anxin card: the worker's side of a work card.
 *
 *   anxin card key      a device key (the private JWK stays in a 0600 file; the public JWK
 *                       goes to the issuer as "holderPublicJwk", so the credential is bound to it)
 *   anxin card proof    proof that the device holds that key (openid4vci-proof+jwt over the
 *                       gateway's c_nonce), which the issuer sends with it as "holderProof"
 *   anxin card present  a short-lived presentation of an SD-JWT VC that discloses only the
 *                       members a job needs, signed with the device key, as a QR code
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  WorkCardError,
  cardPaths,
  presentCredential,
  holderProofJwt,
  qrLevel,
  qrVersion,
  renderQr,
  workCardText,
} from '@anxin/gateway/workcard';
import { parseCredential } from '@anxin/gateway/verify';
import { CliError, out, outJson } from '../common';
import { readCredentialArg } from './verify';

function keyCommand(): Command {
  return new Command('key')
    .summary('make a device key for the worker')
    .description(
      'Generates a key pair, writes the private key as a JWK to --out (mode 0600, never overwritten) and prints the public JWK: give it to the issuer as "holderPublicJwk" when the credential is issued, and every presentation must then be signed with this key.',
    )
    .addOption(new Option('--alg <alg>', 'key type').choices(['ES256', 'EdDSA']).default('ES256'))
    .option('--out <file>', 'where the private key goes', 'worker-key.jwk')
    .option('--json', 'print { file, publicJwk } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin card key --out ~/.anxin/worker-key.jwk
  $ anxin card key --alg EdDSA --json | jq .publicJwk`,
    )
    .action((o: { alg: 'ES256' | 'EdDSA'; out: string; json?: boolean }) => {
      if (existsSync(o.out))
        throw new CliError(`${o.out} exists; a device key is never overwritten`, { code: 'REFUSED' });
      const { publicKey, privateKey } =
        o.alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      writeFileSync(o.out, `${JSON.stringify(privateKey.export({ format: 'jwk' }))}\n`, { mode: 0o600, flag: 'wx' });
      const publicJwk = publicKey.export({ format: 'jwk' });
      if (o.json) outJson({ file: o.out, publicJwk });
      else {
        out(`private key written to ${o.out} (mode 0600); keep it on the worker's device`);
        out('public key, for "holderPublicJwk" when the credential is issued:');
        out(JSON.stringify(publicJwk));
        out(`then prove holding it: anxin card proof --key ${o.out} --gateway <gateway URL>`);
      }
    });
}

interface ProofCliOptions {
  key: string;
  gateway?: string;
  nonce?: string;
  aud?: string;
  json?: boolean;
}

/** A c_nonce from the gateway's Nonce Endpoint. */
async function fetchCNonce(gateway: string): Promise<string> {
  const url = `${gateway.replace(/\/+$/, '')}/v1/nonce`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new CliError(`--gateway: cannot reach ${url}: ${(e as Error).message}`, { code: 'UNREACHABLE' });
  }
  const body = (await res.json().catch(() => undefined)) as { c_nonce?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.c_nonce !== 'string')
    throw new CliError(`--gateway: ${url} answered ${res.status} without a c_nonce`, { code: 'UNREACHABLE' });
  return body.c_nonce;
}

function proofCommand(): Command {
  return new Command('proof')
    .summary('prove the device holds its key, for the issuer to bind a credential to it')
    .description(
      [
        'Signs, with the device key, a proof of possession as OpenID4VCI 1.0 defines it (a JWT with typ openid4vci-proof+jwt, the public key in its header, aud = the gateway, iat = now, nonce = a c_nonce from the gateway\'s POST /v1/nonce), and prints it. The issuer sends it as "holderProof" beside "holderPublicJwk" in POST /v1/credentials; it is good once, within 10 minutes.',
        "With --gateway URL the c_nonce is fetched from URL and aud is URL; --nonce and --aud give them yourself (aud must be the gateway's public URL).",
      ].join('\n\n'),
    )
    .requiredOption('--key <file>', 'the device key (private JWK), from anxin card key')
    .option('--gateway <url>', "the gateway's public URL: fetch a c_nonce from it, and address the proof to it")
    .option('--nonce <c_nonce>', 'a c_nonce from POST /v1/nonce (instead of fetching one)')
    .option('--aud <url>', "the gateway's public URL (the credential issuer identifier)")
    .option('--json', 'print { holderPublicJwk, holderProof }, the two members the issuance request needs')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin card proof --key worker.jwk --gateway https://anxin.example.cn
  $ anxin card proof --key worker.jwk --gateway http://127.0.0.1:8080 --json > binding.json
  $ anxin card proof --key worker.jwk --aud https://anxin.example.cn --nonce "$(curl -s -X POST https://anxin.example.cn/v1/nonce | jq -r .c_nonce)"`,
    )
    .action(async (o: ProofCliOptions) => {
      const aud = (o.aud ?? o.gateway)?.replace(/\/+$/, '');
      if (!aud) throw new CliError('give --gateway URL, or --aud URL with --nonce');
      if (!o.nonce && !o.gateway) throw new CliError('give --gateway URL to fetch a c_nonce, or --nonce');
      const nonce = o.nonce ?? (await fetchCNonce(o.gateway!));
      let proof;
      try {
        proof = await holderProofJwt({ holderKey: readKey(o.key), aud, nonce });
      } catch (e) {
        if (e instanceof WorkCardError) throw new CliError(e.message, { code: 'INVALID_INPUT', reason: e.code });
        throw e;
      }
      if (o.json) outJson(proof);
      else out(proof.holderProof);
    });
}

interface PresentCliOptions {
  disclose?: string;
  list?: boolean;
  key?: string;
  audience?: string;
  nonce?: string;
  verifierUrl?: string;
  png?: string;
  svg?: string;
  text?: boolean;
  json?: boolean;
}

function readKey(file: string): JsonWebKey {
  try {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey;
    if (!jwk || typeof jwk !== 'object' || !jwk.d) throw new Error('no private part');
    return jwk;
  } catch (e) {
    throw new CliError(`${file} is not a private JWK: ${(e as Error).message}`, {
      code: 'INVALID_INPUT',
      reason: 'holder_key_not_private',
    });
  }
}

async function present(arg: string, o: PresentCliOptions): Promise<void> {
  const credential = readCredentialArg(arg);
  const parsed = parseCredential(credential);
  if ('error' in parsed) throw new CliError(`not a credential: ${parsed.detail}`, { code: 'INVALID_INPUT' });
  if (o.list) {
    const paths = cardPaths(credential);
    if (o.json) outJson({ disclosable: paths });
    else paths.forEach((p) => out(p));
    return;
  }
  if (!o.disclose) throw new CliError('--disclose is required: the members the job needs (see --list)');
  const p = await presentCredential(credential, {
    disclose: o.disclose
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(o.key ? { holderKey: readKey(o.key) } : {}),
    ...(o.audience ? { audience: o.audience } : {}),
    ...(o.nonce ? { nonce: o.nonce } : {}),
  });
  const text = workCardText(p.presentation, o.verifierUrl);
  if (o.png) writeFileSync(o.png, await renderQr(text, 'png'));
  if (o.svg) writeFileSync(o.svg, await renderQr(text, 'svg'));
  if (o.json) {
    const ecLevel = qrLevel(text);
    outJson({ text, bytes: Buffer.byteLength(text), version: qrVersion(text, ecLevel), ecLevel, ...p });
    return;
  }
  if (o.text) {
    out(text);
    return;
  }
  if (!o.png && !o.svg) out(await renderQr(text, 'terminal'));
  out(`discloses: ${p.disclosed.join(', ')}`);
  out(`withholds: ${p.withheld.join(', ') || '(nothing)'}`);
  out(
    p.bound
      ? `bound to the device key; verifiers accept it until ${p.expiresAt} (a screenshot expires)`
      : 'not bound to a device key: anyone holding this text can show it; its status is checked online at every scan',
  );
  for (const [file, kind] of [
    [o.png, 'PNG'],
    [o.svg, 'SVG'],
  ] as const)
    if (file) out(`${kind} written to ${file}`);
}

function presentCommand(): Command {
  return new Command('present')
    .argument('<credential>', "the SD-JWT VC as issued, a file holding it, or '-' for stdin")
    .summary('a QR code that discloses only what a job needs')
    .description(
      [
        'Makes a presentation of an SD-JWT VC (issued with "format": "dc+sd-jwt"): only the members named by --disclose are revealed; when the credential is bound to a device key, a key-binding JWT signed with --key makes it expire after 5 minutes, so a screenshot is worth nothing later.',
        'Prints the QR code on the terminal, or writes it with --png/--svg; --text prints the QR text (AX1:<Base45>, the presentation deflated and stored in the alphanumeric mode of the QR code, or <verifier url>#AX1.<base64url> with --verifier-url), which POST /v1/verify, the verifier page and anxin verify all take, as they take the older ANXIN:<presentation>.',
        'Exit code: 0 done; 2 on usage errors (an unknown member, a key that is not the bound one, a text too long for one QR code).',
      ].join('\n\n'),
    )
    .option(
      '--disclose <paths>',
      'members to reveal, comma-separated: holder.name, healthCertificate.validity, … or a whole group (healthCertificate)',
    )
    .option('--list', 'print the members this credential can disclose, and stop')
    .option('--key <file>', 'the device key (private JWK) the credential is bound to')
    .option('--audience <aud>', "who the presentation is for (key-binding aud): a verifier challenge's aud")
    .option('--nonce <nonce>', "the verifier's challenge nonce (POST /v1/verify/challenges), when it gave one")
    .option('--verifier-url <url>', 'make the QR a link to a verifier page, e.g. https://anxin.example/verify')
    .option('--png <file>', 'write the QR code as a PNG image')
    .option('--svg <file>', 'write the QR code as an SVG image')
    .option('--text', 'print only the QR text')
    .option(
      '--json',
      'print { text, bytes, version, ecLevel, presentation, disclosed, withheld, expiresAt, bound } as JSON',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ anxin card present health.sdjwt --list
  $ anxin card present health.sdjwt --key worker-key.jwk \\
      --disclose holder.name,healthCertificate.categories,healthCertificate.validity,healthCertificate.result
  $ anxin card present health.sdjwt --key worker-key.jwk --disclose healthCertificate --png card.png
  $ anxin card present skill.sdjwt --disclose skillCertificate --verifier-url https://anxin.example/verify --text`,
    )
    .action(async (arg: string, o: PresentCliOptions) => {
      try {
        await present(arg, o);
      } catch (e) {
        if (e instanceof WorkCardError) throw new CliError(e.message, { code: 'INVALID_INPUT', reason: e.code });
        throw e;
      }
    });
}

export function cardCommand(): Command {
  return new Command('card')
    .summary("the worker's work card: a device key, and QR codes that disclose only what a job needs")
    .description(
      "The worker's side of the work card. A credential issued as an SD-JWT VC with the worker's public key (holderPublicJwk, with the proof of holding it: holderProof) can be shown as a QR code that reveals only the members a job needs and expires within minutes; employers scan it with the gateway's verifier page (/verify) or send it to POST /v1/verify.",
    )
    .addCommand(keyCommand())
    .addCommand(proofCommand())
    .addCommand(presentCommand());
}
