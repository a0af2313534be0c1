/**
 * What takes the bytes of a work-card QR: a presentation's compact SD-JWT broken into its
 * parts (issuer JWT header, each payload claim, signature, each disclosure, key-binding JWT),
 * and the QR versions of its plain and compact texts.
 */
import { qrVersion } from '@anxin/gateway/workcard';
import { compactQrText } from '@anxin/gateway/verify';

export interface QrAnatomy {
  /** Characters of the compact SD-JWT, by part; payload claims as `payload.<claim>` (their share of the base64url). */
  parts: Array<[string, number]>;
  total: number;
  issuerJwt: number;
  /** `ANXIN:<presentation>` (byte mode), and `AX1:<Base45>` (alphanumeric mode). */
  plain: { chars: number; versionL?: number; versionM?: number };
  compact: { chars: number; versionL?: number; versionM?: number; versionQ?: number };
  /** `<verifier url>#AX1.<base64url>` (byte mode). */
  link: { chars: number; versionM?: number };
}

const json = (b64: string) => JSON.parse(Buffer.from(b64, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The anatomy of one presentation (`verifierUrl` only for the link's figures). */
export function qrAnatomy(presentation: string, verifierUrl = 'https://anxin.example.cn/verify'): QrAnatomy {
  const segments = presentation.split('~');
  const [h, p, s] = segments[0]!.split('.') as [string, string, string];
  const parts: Array<[string, number]> = [['issuer header', h.length]];
  // A claim's share: its `"name":value,` in the payload JSON, times 4/3 for base64url.
  for (const [k, v] of Object.entries(json(p)))
    parts.push([`payload.${k}`, Math.round(((JSON.stringify(k).length + JSON.stringify(v).length + 2) * 4) / 3)]);
  parts.push(['issuer signature', s.length]);
  for (const d of segments.slice(1, -1)) {
    const [, name] = JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as [string, string];
    parts.push([`disclosure ${name}`, d.length + 1]);
  }
  const kb = segments[segments.length - 1]!;
  if (kb) parts.push(['key-binding JWT', kb.length]);
  const plain = `ANXIN:${presentation}`;
  const compact = compactQrText(presentation);
  const link = `${verifierUrl}#${compactQrText(presentation, true)}`;
  return {
    parts,
    total: presentation.length,
    issuerJwt: segments[0]!.length,
    plain: { chars: plain.length, versionL: qrVersion(plain, 'L'), versionM: qrVersion(plain, 'M') },
    compact: {
      chars: compact.length,
      versionL: qrVersion(compact, 'L'),
      versionM: qrVersion(compact, 'M'),
      versionQ: qrVersion(compact, 'Q'),
    },
    link: { chars: link.length, versionM: qrVersion(link, 'M') },
  };
}
