/** status: the anchor of exactly this credential is active — not revoked, not suspended. Skipped otherwise. */
import type { Fragment } from '../context';

export const status: Fragment = ({ r, anchor }) => {
  if (!anchor || !r.ok('digestMatches')) return;
  if (anchor.status === 'active') r.pass('status');
  else
    r.fail(
      'status',
      anchor.status === 'revoked' ? 'revoked' : 'suspended',
      `${anchor.status} (${anchor.statusReason ?? 'no reason given'}) at ${anchor.updatedAt}`,
    );
};
