/**
 * The registrar's own keys: rotate them on the ledger (add a key in custody, retire one),
 * and pick the key this gateway signs registrar statements with.
 */
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import type { RegistrarRecord, SigningAlg } from '@anxin/schemas';
import { DomainError } from '../errors';
import type { Services } from './context';

type RegistrarKey = RegistrarRecord['keys'][number];

/** Whether a registrar key may sign at instant `t` (ms): added by then, not yet retired. */
export function registrarKeyMaySign(k: RegistrarKey, t: number): boolean {
  return (!k.notBefore || Date.parse(k.notBefore) <= t) && (!k.retiredAt || t < Date.parse(k.retiredAt));
}

/**
 * The signer of a registrar key this gateway holds and that may sign now. Refused
 * (`registrar_key_missing`) when it holds none: a gateway on a ledger it did not initialise
 * needs the registrar key (ANXIN_REGISTRAR_KEY_FILE) to change issuers.
 */
export async function registrarSigner(s: Services): Promise<StatementSigner> {
  const registrar = await s.ledgerClient.getRegistrar();
  const now = s.now().getTime();
  for (const k of registrar?.keys ?? []) {
    if (!registrarKeyMaySign(k, now)) continue;
    const signer = await s.keys.signer(k.kid);
    if (signer) return signer;
  }
  throw new DomainError(
    'registrar_key_missing',
    'this gateway holds none of the ledger’s registrar keys that may sign now, so it cannot change issuers; ' +
      'give it one with ANXIN_REGISTRAR_KEY_FILE',
  );
}

/**
 * Rotate the registrar: a new key in custody, added on the ledger by a statement that the
 * current key signs and that retires it (or `retire`, or nothing when `retire` is false).
 * Issuers registered before stay as they are.
 *
 * @example
 * const registrar = await rotateRegistrarKey(s, {}); // new ES256 key; the signing key retired
 */
export async function rotateRegistrarKey(
  s: Services,
  opts: { alg?: SigningAlg; retire?: string | false },
): Promise<RegistrarRecord> {
  const signer = await registrarSigner(s);
  const before = (await s.ledgerClient.getRegistrar())!;
  const retire = opts.retire === false ? undefined : (opts.retire ?? signer.kid.slice(signer.kid.indexOf('#') + 1));
  if (retire !== undefined) {
    const k = before.keys.find((x) => x.keyId === retire);
    if (!k) throw new DomainError('not_found', `no registrar key ${retire}`);
    if (k.retiredAt) throw new DomainError('invalid_transition', `registrar key ${retire} is retired already`);
  }
  const key = await s.keys.create('registrar', opts.alg ?? 'ES256');
  const committed = await s.ledgerClient.submit<RegistrarRecord>(
    'rotateRegistrar',
    await signStatement(
      {
        kind: 'rotateRegistrar',
        iss: 'registrar',
        add: { keyId: key.keyId, alg: key.alg, publicJwk: key.publicJwk as never },
        ...(retire !== undefined ? { retire } : {}),
      },
      signer,
    ),
  );
  return committed.record;
}

/** The public view of the registrar keys. */
export function publicRegistrar(r: RegistrarRecord) {
  return {
    keys: r.keys.map((k) => ({
      kid: k.kid,
      keyId: k.keyId,
      alg: k.alg,
      publicJwk: k.publicJwk,
      ...(k.notBefore ? { notBefore: k.notBefore } : {}),
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
    })),
  };
}

/** Something a gateway needs for part of its work and does not have, named by a stable code. */
export interface Lack {
  code: 'registrar_key_missing';
  detail: string;
}

/**
 * What this gateway lacks on a ledger another gateway initialised: a registrar key that may
 * sign now (without one it issues and verifies, but cannot register or change issuers).
 */
export async function whatThisGatewayLacks(s: Services): Promise<Lack[]> {
  const registrar = await s.ledgerClient.getRegistrar();
  if (!registrar) return [];
  const now = s.now().getTime();
  for (const k of registrar.keys) if (registrarKeyMaySign(k, now) && (await s.keys.has(k.kid))) return [];
  const usable = registrar.keys.filter((k) => registrarKeyMaySign(k, now)).map((k) => k.keyId);
  return [
    {
      code: 'registrar_key_missing',
      detail:
        `this gateway holds none of the ledger's registrar keys that may sign now (${usable.join(', ')}): ` +
        'it cannot register or change issuers until ANXIN_REGISTRAR_KEY_FILE gives it one',
    },
  ];
}
