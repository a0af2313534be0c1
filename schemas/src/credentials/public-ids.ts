/**
 * The public names of what the ledger names privately. On the ledger an issuer is
 * `urn:anxin:issuer:<slug>` and its key `<issuer id>#<key id>`; in a credential, so that
 * any verifier can find its keys, the issuer is an HTTPS URL under the gateway's public URL
 * (`<public url>/issuers/<slug>`) and the key `<issuer url>#<key id>`. Credentials issued
 * before the URLs carry the `urn:` names and keep verifying: both map to the ledger's.
 *
 * A credential's SD-JWT VC type (`vct`) is likewise `<public url>/vct/v1/<type>`, where the
 * gateway serves its Type Metadata; the first credentials named it under `VCT_LEGACY_BASE`.
 */
import { CREDENTIAL_TYPES, type CredentialType } from '../ledger/common';

/** The ledger's issuer ids: this prefix and the issuer's slug. */
export const ISSUER_URN_PREFIX = 'urn:anxin:issuer:';

const SLUG = '[a-z0-9][a-z0-9-]{2,62}';
const ISSUER_URL = new RegExp(`^https?://[^/?#\\s]+(?:/[^?#\\s]*)?/issuers/(${SLUG})$`);
const VCT_URL = /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?\/vct\/v1\/([A-Za-z]+)$/;

/** The `vct` base of the first SD-JWT VCs, before the gateway served Type Metadata. */
export const VCT_LEGACY_BASE = 'https://anxin.dev/vct/v1/';

/** An issuer's id as a credential may carry it: the ledger's `urn:`, or its public URL. */
export const credentialIssuerId = {
  type: 'string',
  pattern: `^(urn:anxin:issuer:${SLUG}|https?://[^/?#\\s]+(/[^?#\\s]*)?/issuers/${SLUG})$`,
  description:
    'The issuer: its public URL <public url>/issuers/<slug>, or (credentials issued before) urn:anxin:issuer:<slug>.',
} as const;

/**
 * The public URL of the ledger's issuer `ledgerId` under `publicUrl`.
 *
 * @example
 * publicIssuerId('https://anxin.example.cn', 'urn:anxin:issuer:chengdu-cdc');
 * // 'https://anxin.example.cn/issuers/chengdu-cdc'
 */
export function publicIssuerId(publicUrl: string, ledgerId: string): string {
  if (!ledgerId.startsWith(ISSUER_URN_PREFIX)) return ledgerId;
  return `${publicUrl.replace(/\/+$/, '')}/issuers/${ledgerId.slice(ISSUER_URN_PREFIX.length)}`;
}

/**
 * The ledger's id of an issuer named by its public URL or by its `urn:`; anything else as it
 * is (it names no registered issuer). Which gateway's URL it is does not lend any trust: the
 * key that must have signed is the ledger's key of that slug, whatever the host says.
 *
 * @example
 * ledgerIssuerId('https://anxin.example.cn/issuers/chengdu-cdc'); // 'urn:anxin:issuer:chengdu-cdc'
 * ledgerIssuerId('urn:anxin:issuer:chengdu-cdc');                 // the same
 */
export function ledgerIssuerId(id: string): string {
  const m = ISSUER_URL.exec(id);
  return m ? `${ISSUER_URN_PREFIX}${m[1]!}` : id;
}

/** The slug of an issuer named either way, or undefined. */
export function issuerSlug(id: string): string | undefined {
  const ledger = ledgerIssuerId(id);
  return ledger.startsWith(ISSUER_URN_PREFIX) ? ledger.slice(ISSUER_URN_PREFIX.length) : undefined;
}

/**
 * The kid a credential's header carries for the ledger's key `ledgerKid` (`<issuer id>#<key id>`):
 * `<issuer url>#<key id>`, the id of the key's verification method in the issuer's
 * controlled-identifier document and of the key in its JWT VC Issuer Metadata.
 */
export function publicKid(publicUrl: string, ledgerKid: string): string {
  const hash = ledgerKid.lastIndexOf('#');
  return `${publicIssuerId(publicUrl, ledgerKid.slice(0, hash))}${ledgerKid.slice(hash)}`;
}

/**
 * The ledger's kid of a kid as a credential may carry it (`<issuer url>#<key id>`, or the
 * ledger's own).
 *
 * @example ledgerKid('https://anxin.example.cn/issuers/chengdu-cdc#abc…'); // 'urn:anxin:issuer:chengdu-cdc#abc…'
 */
export function ledgerKid(kid: string): string {
  const hash = kid.lastIndexOf('#');
  return hash > 0 ? `${ledgerIssuerId(kid.slice(0, hash))}${kid.slice(hash)}` : kid;
}

/** The `vct` of a credential type under `publicUrl`: where its Type Metadata is served. */
export function vctOf(publicUrl: string, type: CredentialType): string {
  return `${publicUrl.replace(/\/+$/, '')}/vct/v1/${type}`;
}

/** The credential type a `vct` names — served by a gateway, or the first credentials' — or undefined. */
export function typeOfVct(vct: string): CredentialType | undefined {
  const name = vct.startsWith(VCT_LEGACY_BASE) ? vct.slice(VCT_LEGACY_BASE.length) : VCT_URL.exec(vct)?.[1];
  return (CREDENTIAL_TYPES as readonly string[]).includes(name ?? '') ? (name as CredentialType) : undefined;
}
