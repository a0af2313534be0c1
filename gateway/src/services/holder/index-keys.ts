/**
 * Credentials recorded before the store indexed holder keys carry their key only inside the
 * sealed credential (cnf.jwk of the SD-JWT): at start the gateway opens each such record once
 * and indexes it under the key's thumbprint ('' for one bound to none), so a worker's
 * receipts find it too. Idempotent; a record that cannot be opened is left for a later start.
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Kek } from '../../crypto/kek';
import type { CredentialStore } from '../../ports/store';
import { parseCredential } from '../../verify';

/** The holder key an issued credential is bound to (cnf.jwk), if any. */
export function holderKeyOf(credential: string): Record<string, string> | undefined {
  const parsed = parseCredential(credential);
  if (!('format' in parsed)) return undefined;
  const jwk = (parsed.payload.cnf as { jwk?: unknown } | undefined)?.jwk;
  return jwk && typeof jwk === 'object' ? (jwk as Record<string, string>) : undefined;
}

/**
 * Index every recorded credential whose holder key is not indexed yet; resolves to how many.
 *
 * @example
 * const n = await indexHolderKeys(store, kek); // 0 once every record is indexed
 */
export async function indexHolderKeys(
  store: Pick<CredentialStore, 'credentialsWithoutHolderKey' | 'setHolderKey'>,
  kek: Pick<Kek, 'open'>,
  batch = 500,
): Promise<number> {
  let indexed = 0;
  for (;;) {
    const records = await store.credentialsWithoutHolderKey(batch);
    if (!records.length) return indexed;
    for (const r of records) {
      let credential: string;
      try {
        credential = kek.open(r.sealed, r.id).toString('utf8');
      } catch {
        // Sealed under a key this gateway does not hold: the next start (with it) indexes the rest.
        return indexed;
      }
      const jwk = holderKeyOf(credential);
      await store.setHolderKey(r.id, jwk ? await calculateJwkThumbprint(jwk as JWK, 'sha256') : '');
      indexed++;
    }
  }
}
