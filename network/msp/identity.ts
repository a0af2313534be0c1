import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { msp } from '@hyperledger/fabric-protos';
import { signMessage, signMessageAsync } from './ecdsa';

/**
 * A Fabric signing identity: an MSP id, an X.509 certificate, and the ECDSA P-256 key
 * that signs as it.
 *
 * @example
 * const id = loadIdentity('Org1MSP', 'crypto/peerOrganizations/org1.anxin.local/users/gateway@org1.anxin.local/msp');
 * const sig = id.sign(payloadBytes); // DER, low-S, as Fabric verifies it
 */
export class SigningIdentity {
  readonly publicKey: KeyObject;
  private serialized?: Uint8Array;

  constructor(
    readonly mspId: string,
    readonly certPem: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = createPublicKey(certPem);
  }

  /** The msp.SerializedIdentity bytes Fabric puts in headers and endorsements. */
  serialize(): Uint8Array {
    if (!this.serialized) {
      const id = new msp.SerializedIdentity();
      id.setMspid(this.mspId);
      id.setIdBytes(Buffer.from(this.certPem));
      this.serialized = id.serializeBinary();
    }
    return this.serialized;
  }

  /** Sign (ECDSA P-256, SHA-256, DER, low-S) off the main thread. */
  sign(message: Uint8Array): Promise<Buffer> {
    return signMessageAsync(this.privateKey, message);
  }

  signSync(message: Uint8Array): Buffer {
    return signMessage(this.privateKey, message);
  }

  /** The private key as PKCS#8 PEM, for adapters that need it (e.g. fabric-gateway's signer). */
  privateKeyPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  }
}

/** Load an identity from an MSP folder (signcerts/ and keystore/ as Fabric lays them out). */
export function loadIdentity(mspId: string, mspDir: string): SigningIdentity {
  const certFile = readdirSync(join(mspDir, 'signcerts')).find((f) => f.endsWith('.pem'));
  const keyFile = readdirSync(join(mspDir, 'keystore')).find((f) => f.endsWith('_sk'));
  if (!certFile || !keyFile) throw new Error(`no certificate or key in MSP folder ${mspDir}`);
  const certPem = readFileSync(join(mspDir, 'signcerts', certFile), 'utf8');
  const key = createPrivateKey(readFileSync(join(mspDir, 'keystore', keyFile), 'utf8'));
  return new SigningIdentity(mspId, certPem, key);
}

/** Decode msp.SerializedIdentity bytes. */
export function parseSerializedIdentity(bytes: Uint8Array): { mspId: string; certPem: string } {
  const id = msp.SerializedIdentity.deserializeBinary(bytes);
  return { mspId: id.getMspid(), certPem: Buffer.from(id.getIdBytes_asU8()).toString('utf8') };
}
