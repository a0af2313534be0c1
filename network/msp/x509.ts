/**
 * X.509 certificates for Fabric identities, built with node-forge's ASN.1 and
 * X.509 helpers and signed with ECDSA P-256 (node-forge's own signer is RSA-only).
 * The result is what Fabric's MSP accepts: v3, ecdsa-with-SHA256 without parameters,
 * a low-S signature, SKI = SHA-256 of the public point, AKI = the issuer's SKI.
 */
import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { signMessage } from './ecdsa';

const { asn1, pki } = forge;

const OID = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
} as const;

export interface DistinguishedName {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
  CN: string;
}

export interface CertificateRequest {
  subject: DistinguishedName;
  publicKey: KeyObject;
  /** The issuer's name and signing key; omit both for a self-signed certificate. */
  issuer?: { name: DistinguishedName; key: KeyObject; ski: Buffer };
  signingKey: KeyObject;
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
  keyUsage: Array<'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign'>;
  extKeyUsage?: Array<'serverAuth' | 'clientAuth'>;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** Subject key identifier as Fabric computes it: SHA-256 of the uncompressed EC point. */
export function subjectKeyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha256').update(point).digest();
}

function dnToAsn1(dn: DistinguishedName): forge.asn1.Asn1 {
  const order: Array<keyof DistinguishedName> = ['C', 'ST', 'L', 'O', 'OU', 'CN'];
  const attributes = order
    .filter((k) => dn[k] !== undefined)
    .map((k) => ({
      type: OID[k],
      value: dn[k]!,
      valueTagClass: k === 'C' ? asn1.Type.PRINTABLESTRING : asn1.Type.UTF8,
    }));
  return (pki as unknown as { distinguishedNameToAsn1(dn: unknown): forge.asn1.Asn1 }).distinguishedNameToAsn1({
    attributes,
  });
}

function bin(buf: Buffer): string {
  return buf.toString('binary');
}

function octets(buf: Buffer): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(buf));
}

/** Issue a certificate; returns it as PEM. */
export function createCertificate(req: CertificateRequest): string {
  const ski = subjectKeyIdentifier(req.publicKey);
  const issuerName = req.issuer?.name ?? req.subject;
  const aki = req.issuer?.ski ?? ski;

  const holder = pki.createCertificate();
  const keyUsage = Object.fromEntries(req.keyUsage.map((u) => [u, true]));
  const extensions: object[] = [
    { name: 'basicConstraints', cA: req.isCA, critical: true },
    { name: 'keyUsage', critical: true, ...keyUsage },
  ];
  if (req.extKeyUsage?.length) {
    extensions.push({ name: 'extKeyUsage', ...Object.fromEntries(req.extKeyUsage.map((u) => [u, true])) });
  }
  extensions.push({ name: 'subjectKeyIdentifier', value: octets(ski) });
  extensions.push({
    name: 'authorityKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, bin(aki)),
    ]),
  });
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  holder.setExtensions(extensions as never);

  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive
  if (serial[0] === 0) serial[0] = 1;

  const sigAlg = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.ecdsaWithSHA256).getBytes()),
  ]);
  const spki = asn1.fromDer(bin(req.publicKey.export({ format: 'der', type: 'spki' }) as Buffer));
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bin(serial)),
    sigAlg,
    dnToAsn1(issuerName),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(req.notBefore)),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(req.notAfter)),
    ]),
    dnToAsn1(req.subject),
    spki,
    (pki as unknown as { certificateExtensionsToAsn1(e: unknown): forge.asn1.Asn1 }).certificateExtensionsToAsn1(
      holder.extensions,
    ),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = signMessage(req.signingKey, tbsDer);
  const cert = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    sigAlg,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + bin(signature)),
  ]);
  const der = Buffer.from(asn1.toDer(cert).getBytes(), 'binary');
  return toPem('CERTIFICATE', der);
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The public key inside a PEM certificate. */
export function certificatePublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}
