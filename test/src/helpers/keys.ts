/**
 * Signing keys for tests: registrar and issuer keys as jose keys, with their RFC 7638
 * key id (the JWK thumbprint) and JOSE kid, ready to sign statements.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { StatementSigner } from '@anxin/chaincode/rules';
import type { SigningAlg } from '@anxin/schemas';

/** A public JWK as the ledger stores it: EC P-256 (x, y) or OKP Ed25519 (x), nothing else. */
export type PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string } | { kty: 'OKP'; crv: 'Ed25519'; x: string };

/** A key pair with its thumbprint. `newKey` is the shape statements and init args carry. */
export interface TestKeyPair {
  alg: SigningAlg;
  /** RFC 7638 SHA-256 thumbprint of the public JWK, base64url. */
  keyId: string;
  publicJwk: PublicJwk;
  privateKey: CryptoKey;
  /** `{ keyId, alg, publicJwk }`: a key as registerIssuer / addKey / init take it. */
  readonly newKey: { keyId: string; alg: SigningAlg; publicJwk: PublicJwk };
}

/** A key pair that belongs to someone: `kid` = `<owner>#<keyId>`, and a signer for signStatement. */
export interface OwnedKey extends TestKeyPair {
  owner: string;
  kid: string;
  signer: StatementSigner;
}

function publicPart(jwk: JWK): PublicJwk {
  return jwk.kty === 'EC'
    ? { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }
    : { kty: 'OKP', crv: 'Ed25519', x: jwk.x! };
}

async function pairOf(alg: SigningAlg, privateKey: CryptoKey, publicJwk: PublicJwk): Promise<TestKeyPair> {
  const keyId = await calculateJwkThumbprint(publicJwk as JWK, 'sha256');
  return { alg, keyId, publicJwk, privateKey, newKey: { keyId, alg, publicJwk } };
}

/** A fresh key pair (ES256 by default, as DESIGN.md says; EdDSA allowed). */
export async function newKeyPair(alg: SigningAlg = 'ES256'): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  return pairOf(alg, privateKey, publicPart(await exportJWK(publicKey)));
}

/** Give a key pair an owner (an issuer id, or 'registrar'). */
export function own(pair: TestKeyPair, owner: string): OwnedKey {
  const kid = `${owner}#${pair.keyId}`;
  return { ...pair, owner, kid, signer: { kid, alg: pair.alg, privateKey: pair.privateKey } };
}

/** A fresh issuer key: `kid` = `<issuerId>#<thumbprint>`. */
export async function newIssuerKey(issuerId: string, alg: SigningAlg = 'ES256'): Promise<OwnedKey> {
  return own(await newKeyPair(alg), issuerId);
}

/** A registrar: one key (`registrar#<thumbprint>`) and the init argument that installs it. */
export interface Registrar extends OwnedKey {
  /** JSON for the contract's `init`: { registrarKeys: [newKey] }. */
  initArgs: string;
}

export async function newRegistrar(alg: SigningAlg = 'ES256'): Promise<Registrar> {
  return registrarOf(await newKeyPair(alg));
}

/** A registrar made of a given key pair (e.g. the fixtures' REGISTRAR_KEY). */
export function registrarOf(pair: TestKeyPair): Registrar {
  const k = own(pair, 'registrar');
  return { ...k, initArgs: JSON.stringify({ registrarKeys: [k.newKey] }) };
}

/**
 * Import one of the fixed keys of test/src/schemas/fixtures/keys.ts (those that carry
 * their private `d`), so fixtures and signatures use the same, well-known key.
 */
export async function importFixtureKey(
  alg: SigningAlg,
  key: { keyId: string; publicJwk: object; d: string },
  owner: string,
): Promise<OwnedKey> {
  const publicJwk = key.publicJwk as PublicJwk;
  const privateKey = (await importJWK({ ...publicJwk, d: key.d } as JWK, alg)) as CryptoKey;
  const pair = await pairOf(alg, privateKey, publicJwk);
  if (pair.keyId !== key.keyId) throw new Error(`fixture key ${key.keyId} is not its own thumbprint (${pair.keyId})`);
  return own(pair, owner);
}
