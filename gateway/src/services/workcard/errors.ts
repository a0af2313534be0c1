/**
 * Why a work card, a presentation or a key proof cannot be made, and the members a work card
 * never shows. No Node built-in: the wallet's bundle uses them as the gateway does.
 */
import { AnxinError } from '../../errors';

/** Why a work card, a presentation or a key proof cannot be made. */
export type WorkCardErrorCode =
  | 'not_a_credential'
  | 'not_sd_jwt'
  | 'already_presented'
  | 'disclosures_undecodable'
  | 'member_unknown'
  | 'member_never_on_a_card'
  | 'holder_key_required'
  | 'holder_key_unsupported'
  | 'holder_key_not_private'
  | 'holder_key_mismatch'
  | 'credential_not_bound'
  | 'verifier_url_invalid'
  | 'qr_too_large'
  | 'card_too_full';

/** Whose fault a code is: the input (`input`), the member list (`member`), or the credential itself (`credential`). */
const KIND_OF: Record<WorkCardErrorCode, 'input' | 'member' | 'credential'> = {
  not_a_credential: 'input',
  not_sd_jwt: 'credential',
  already_presented: 'input',
  disclosures_undecodable: 'input',
  member_unknown: 'member',
  member_never_on_a_card: 'member',
  holder_key_required: 'credential',
  holder_key_unsupported: 'input',
  holder_key_not_private: 'input',
  holder_key_mismatch: 'input',
  credential_not_bound: 'input',
  verifier_url_invalid: 'input',
  qr_too_large: 'input',
  card_too_full: 'input',
};

/**
 * Why a work card cannot be made, by code; `kind` says whose fault it is.
 *
 * @example
 * try { await presentCredential(sdJwt, { disclose }); }
 * catch (e) { if (e instanceof WorkCardError && e.code === 'member_unknown') askAgain(); }
 */
export class WorkCardError extends AnxinError<WorkCardErrorCode> {
  readonly kind: 'input' | 'member' | 'credential';
  constructor(code: WorkCardErrorCode, message: string) {
    super(code, message);
    this.kind = KIND_OF[code];
  }
}

/**
 * Disclosable, but never on a work card: the salt and the reference of the holder's ledger
 * commitment. With them (and the last four digits a report shows) a verifier could test
 * guesses of the ID number against the commitment offline.
 */
export const NEVER_ON_A_CARD: ReadonlySet<string> = new Set(['holder.salt', 'holder.ref']);
