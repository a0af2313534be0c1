/**
 * Revoke, suspend, reinstate: a statement signed by the issuer's current key, committed
 * on the ledger, projected at once. The answer names the verifiers who checked the
 * credential recently, so they can be told.
 */
import { signStatementFast as signStatement } from '../../crypto/jws';
import {
  REINSTATE_REASONS,
  REVOKE_REASONS,
  SUSPEND_REASONS,
  type AnchorRecord,
  type StatusReason,
} from '@anxin/schemas';
import { DomainError } from '../../errors';
import type { Principal, VerificationLogEntry } from '../../ports/store';
import type { Services } from '../context';
import { issuerOrThrow } from '../issuers';
import { actsForIssuer } from '../ownership';
import { currentSigner } from './issue';

export type StatusAction = 'revoke' | 'suspend' | 'reinstate';

const REASONS: Record<StatusAction, readonly string[]> = {
  revoke: REVOKE_REASONS,
  suspend: SUSPEND_REASONS,
  reinstate: REINSTATE_REASONS,
};

/** How far back the verifiers of a changed credential are listed. */
export const NOTIFY_WINDOW_DAYS = 30;

export interface StatusResponse {
  id: string;
  status: string;
  statusReason?: string;
  anchor: { txId: string; block: number; updatedAt: string };
  /** Verifiers who checked this credential in the last 30 days. */
  recentVerifiers: Array<{ verifier: string; lastCheckedAt: string }>;
}

export async function recentVerifiers(s: Services, id: string): Promise<VerificationLogEntry[]> {
  const since = new Date(s.now().getTime() - NOTIFY_WINDOW_DAYS * 24 * 3600 * 1000).toISOString();
  await s.verificationLog.flush();
  return s.store.verifiersSince(id, since);
}

export async function changeStatus(
  s: Services,
  principal: Principal,
  id: string,
  action: StatusAction,
  reason: StatusReason,
): Promise<StatusResponse> {
  if (principal.type !== 'issuer')
    throw new DomainError('forbidden', 'only the issuing organisation can change a credential’s status');
  if (!REASONS[action].includes(reason)) {
    throw new DomainError('validation_failed', `reason ${reason} does not apply to ${action}`, {
      errors: [{ field: '/reason', code: 'enum', message: `must be one of ${REASONS[action].join(', ')}` }],
    });
  }
  const anchor = (await s.store.getAnchor(id)) ?? (await s.ledgerClient.getAnchor(id));
  if (!anchor) throw new DomainError('not_found', `credential ${id} is not anchored`);
  if (!actsForIssuer(principal, anchor.issuer))
    throw new DomainError('forbidden', 'the credential was issued by another organisation');
  const issuer = await issuerOrThrow(s, principal.id);
  const signer = await currentSigner(s, issuer);
  const jws = await signStatement({ kind: action, iss: issuer.id, credentialId: id, reason } as never, signer);
  const committed = await s.ledgerClient.submit<AnchorRecord>(action, jws);
  await s.projection.applyAnchor(committed.record, committed.block, committed.txIndex, committed.txId, true);
  return {
    id,
    status: committed.record.status,
    ...(committed.record.statusReason ? { statusReason: committed.record.statusReason } : {}),
    anchor: { txId: committed.txId, block: committed.block, updatedAt: committed.record.updatedAt },
    recentVerifiers: (await recentVerifiers(s, id)).map((v) => ({ verifier: v.verifier, lastCheckedAt: v.at })),
  };
}
