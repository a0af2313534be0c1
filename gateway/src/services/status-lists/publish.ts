/**
 * The published status lists: for each list in use, a Token Status List (statuslist+jwt)
 * and a Bitstring Status List credential per purpose (vc+jwt), derived from the projection's
 * entries and signed by the list's issuer with its current key.
 *
 * A signed list is kept until a status in it changes: the projection's `anchor` event for
 * an entry of the list drops it, so the next fetch is signed afresh — within moments of the
 * change committing, on this gateway or (through the projection's follower) on another. A
 * list is signed again at least every REFRESH_MS anyway, so that its `exp` stays far off.
 */
import { createHash } from 'node:crypto';
import { VC_CONTEXT_V2, publicIssuerId, publicKid, type AnchorRecord } from '@anxin/schemas';
import { signCompactJws } from '../../crypto/jws';
import { DomainError } from '../../errors';
import type { StatusEntryRecord } from '../../ports/store';
import { VC_JWT_TYP } from '../../verify';
import type { Services } from '../context';
import { currentSigner } from '../credentials/issue';
import { issuerOrThrow } from '../issuers';
import { bitstringEncodedList, tokenStatusList, type StatusPurpose } from './encode';
import { bitstringStatusListUrl, tokenStatusListUrl } from './urls';

/** How long a consumer may cache a list before fetching it again (seconds): `ttl`, and Cache-Control max-age. */
export const STATUS_LIST_TTL_S = 60;
/** How long a signed list stays valid (`exp` − `iat`): what an offline verifier may lean on, saying "as of iat". */
export const STATUS_LIST_VALIDITY_S = 24 * 3600;
const REFRESH_MS = 3600_000;

export const TOKEN_STATUS_LIST_TYP = 'statuslist+jwt';

/** A signed list as served. */
export interface PublishedList {
  body: string;
  mediaType: 'application/statuslist+jwt' | 'application/vc+jwt';
  etag: string;
  /** Signed at, and valid until (epoch seconds). */
  iat: number;
  exp: number;
}

type Representation = 'token' | StatusPurpose;

export class StatusListPublisher {
  private readonly signed = new Map<string, PublishedList>();
  /** Bumped when a status in the list changes: a list signed from older entries is not kept. */
  private readonly generation = new Map<string, number>();

  constructor(private readonly s: Services) {
    s.projection.on('anchor', (a: AnchorRecord) => {
      if (a.statusEntry) this.changed(a.statusEntry.list);
    });
  }

  /** A status in `list` changed: what was signed before is stale. */
  changed(list: string): void {
    this.generation.set(list, (this.generation.get(list) ?? 0) + 1);
    for (const r of ['token', 'revocation', 'suspension'] as const) this.signed.delete(`${list}/${r}`);
  }

  /** The Token Status List of `list`. */
  token(list: string): Promise<PublishedList> {
    return this.get(list, 'token');
  }

  /** The Bitstring Status List credential of `list` for `purpose`. */
  bitstring(list: string, purpose: StatusPurpose): Promise<PublishedList> {
    return this.get(list, purpose);
  }

  private async get(list: string, r: Representation): Promise<PublishedList> {
    const key = `${list}/${r}`;
    const kept = this.signed.get(key);
    if (kept && Date.now() - kept.iat * 1000 < REFRESH_MS) return kept;
    const gen = this.generation.get(list) ?? 0;
    const entries = await this.s.store.listStatusEntries(list);
    if (!entries.length) throw new DomainError('not_found', `no status list ${list}`);
    const published = await this.sign(list, r, entries);
    if ((this.generation.get(list) ?? 0) === gen) this.signed.set(key, published);
    return published;
  }

  private async sign(list: string, r: Representation, entries: StatusEntryRecord[]): Promise<PublishedList> {
    const issuer = await issuerOrThrow(this.s, entries[0]!.issuer);
    // Named as the credentials name their issuer and key (its public URL, `<url>#<key id>`):
    // a stranger checks a list against the keys of the credential's own issuer, found from
    // that URL, and can resolve no `urn:`.
    const signer = await currentSigner(this.s, issuer);
    const publicSigner = { ...signer, kid: publicKid(this.s.publicUrl, signer.kid) };
    const issuerId = publicIssuerId(this.s.publicUrl, issuer.id);
    const iat = Math.floor(this.s.now().getTime() / 1000);
    const exp = iat + STATUS_LIST_VALIDITY_S;
    let body: string;
    if (r === 'token') {
      body = await signCompactJws(
        { typ: TOKEN_STATUS_LIST_TYP },
        {
          iss: issuerId,
          sub: tokenStatusListUrl(this.s.publicUrl, list),
          iat,
          exp,
          ttl: STATUS_LIST_TTL_S,
          status_list: tokenStatusList(entries),
        },
        publicSigner,
      );
    } else {
      const url = bitstringStatusListUrl(this.s.publicUrl, list, r);
      body = await signCompactJws(
        { typ: VC_JWT_TYP, cty: 'vc' },
        {
          '@context': [VC_CONTEXT_V2],
          id: url,
          type: ['VerifiableCredential', 'BitstringStatusListCredential'],
          issuer: issuerId,
          validFrom: new Date(iat * 1000).toISOString(),
          validUntil: new Date(exp * 1000).toISOString(),
          credentialSubject: {
            id: `${url}#list`,
            type: 'BitstringStatusList',
            statusPurpose: r,
            encodedList: bitstringEncodedList(r, entries),
            // Milliseconds here (Bitstring Status List §2.2), seconds in the Token Status List.
            ttl: STATUS_LIST_TTL_S * 1000,
          },
        },
        publicSigner,
      );
    }
    return {
      body,
      mediaType: r === 'token' ? 'application/statuslist+jwt' : 'application/vc+jwt',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      iat,
      exp,
    };
  }
}
