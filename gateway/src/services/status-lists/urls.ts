/**
 * Where a status list is published, and what a credential carries to point at its entry:
 * the SD-JWT VC `status` claim (Token Status List) and the vc+jwt `credentialStatus`
 * entries (Bitstring Status List, revocation and suspension).
 */
import type { StatusEntry } from '@anxin/schemas';
import type { StatusPurpose } from './encode';

/** The Token Status List of `list` (statuslist+jwt). */
export function tokenStatusListUrl(publicUrl: string, list: string): string {
  return `${publicUrl}/v1/status-lists/${list}`;
}

/** The Bitstring Status List credential of `list` for `purpose` (vc+jwt). */
export function bitstringStatusListUrl(publicUrl: string, list: string, purpose: StatusPurpose): string {
  return `${tokenStatusListUrl(publicUrl, list)}/${purpose}`;
}

/** The `status` claim of an SD-JWT VC (draft-ietf-oauth-status-list §6.1). */
export function tokenStatusClaim(publicUrl: string, e: StatusEntry): { status_list: { idx: number; uri: string } } {
  return { status_list: { idx: e.idx, uri: tokenStatusListUrl(publicUrl, e.list) } };
}

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

/** The `credentialStatus` entries of a vc+jwt, one per purpose (W3C Bitstring Status List §2.1). */
export function bitstringStatusEntries(publicUrl: string, e: StatusEntry): BitstringStatusListEntry[] {
  return (['revocation', 'suspension'] as const).map((statusPurpose) => {
    const url = bitstringStatusListUrl(publicUrl, e.list, statusPurpose);
    return {
      id: `${url}#${e.idx}`,
      type: 'BitstringStatusListEntry',
      statusPurpose,
      statusListIndex: String(e.idx),
      statusListCredential: url,
    };
  });
}
