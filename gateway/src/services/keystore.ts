/**
 * Custody of private keys (issuers', the registrar's, the gateway's own): generated
 * here, sealed under the key-encryption key in the store, opened only to sign.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { StatementSigner } from '@anxin/chaincode/rules';
import type { SigningAlg } from '@anxin/schemas';
import type { Kek } from '../crypto/kek';
import type { CustodialKeyRecord, CustodialKeyStore } from '../ports/store';

export interface PublicKeyInfo {
  kid: string;
  keyId: string;
  alg: SigningAlg;
  publicJwk: Record<string, string>;
}

export class KeyStore {
  private readonly opened = new Map<string, KeyObject>();

  constructor(
    private readonly store: CustodialKeyStore,
    private readonly kek: Kek,
  ) {}

  /**
   * Generate a key for `owner` and keep it in custody. Its kid is `<owner>#<thumbprint>`.
   *
   * @example
   * const k = await keys.create('urn:anxin:issuer:chengdu-cdc'); // k.kid, k.publicJwk
   */
  async create(owner: string, alg: SigningAlg = 'ES256'): Promise<PublicKeyInfo> {
    const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const keyId = await calculateJwkThumbprint(publicJwk as JWK, 'sha256');
    const kid = `${owner}#${keyId}`;
    const privateJwk = JSON.stringify(pair.privateKey.export({ format: 'jwk' }));
    const record: CustodialKeyRecord = {
      kid,
      owner,
      alg,
      publicJwk,
      sealed: this.kek.seal(privateJwk, kid),
      createdAt: new Date().toISOString(),
    };
    await this.store.putCustodialKey(record);
    this.opened.set(kid, pair.privateKey);
    return { kid, keyId, alg, publicJwk };
  }

  /** Take an existing private key into custody for `owner` (e.g. a shared registrar key). */
  async importKey(owner: string, privateKey: KeyObject): Promise<PublicKeyInfo> {
    const alg: SigningAlg = privateKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
    if (alg === 'ES256' && privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('only P-256 (ES256) and Ed25519 (EdDSA) keys are accepted');
    }
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
    const keyId = await calculateJwkThumbprint(publicJwk as JWK, 'sha256');
    const kid = `${owner}#${keyId}`;
    if (!(await this.has(kid))) {
      await this.store.putCustodialKey({
        kid,
        owner,
        alg,
        publicJwk,
        sealed: this.kek.seal(JSON.stringify(privateKey.export({ format: 'jwk' })), kid),
        createdAt: new Date().toISOString(),
      });
    }
    this.opened.set(kid, privateKey);
    return { kid, keyId, alg, publicJwk };
  }

  async has(kid: string): Promise<boolean> {
    return !!(await this.store.getCustodialKey(kid));
  }

  async list(owner: string): Promise<PublicKeyInfo[]> {
    return (await this.store.listCustodialKeys(owner)).map((r) => ({
      kid: r.kid,
      keyId: r.kid.slice(r.kid.lastIndexOf('#') + 1),
      alg: r.alg,
      publicJwk: r.publicJwk,
    }));
  }

  /** A signer for a key in custody; undefined when the gateway does not hold it. */
  async signer(kid: string): Promise<StatementSigner | undefined> {
    let key = this.opened.get(kid);
    if (!key) {
      const r = await this.store.getCustodialKey(kid);
      if (!r) return undefined;
      key = createPrivateKey({
        key: JSON.parse(this.kek.open(r.sealed, kid).toString('utf8')) as JWK,
        format: 'jwk',
      } as never);
      this.opened.set(kid, key);
    }
    const alg: SigningAlg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
    return { kid, alg, privateKey: key };
  }
}
