/**
 * status: the credential is not revoked and not suspended. With a ledger, its anchor says so
 * (skipped without an anchor of exactly this credential). Without one, the issuer's signed
 * status lists the credential points at say so, as of when they were signed; a list past its
 * `exp` is not leaned on (`status_list_expired`), though a revocation it shows stands, since a
 * revocation is never undone.
 */
import type { Context, Fragment } from '../context';
import type { StatusListReport } from '../report';
import { readStatusList, statusPointers, type ListOutcome, type ListReading } from '../status-list';

function fromAnchor({ r, anchor }: Context): void {
  if (!anchor || !r.ok('digestMatches')) return;
  if (anchor.status === 'active') r.pass('status');
  else
    r.fail(
      'status',
      anchor.status === 'revoked' ? 'revoked' : 'suspended',
      `${anchor.status} (${anchor.statusReason ?? 'no reason given'}) at ${anchor.updatedAt}`,
    );
}

/** The lists' readings as one: the worst status, the earliest signing time and `exp`. */
function combined(readings: ListReading[]): StatusListReport {
  const worst = readings.some((x) => x.status === 'revoked')
    ? 'revoked'
    : readings.some((x) => x.status === 'suspended')
      ? 'suspended'
      : 'active';
  const earliest = (xs: Array<string | undefined>) =>
    xs.filter((x): x is string => !!x).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const exp = earliest(readings.map((x) => x.exp));
  return {
    status: worst,
    asOf: earliest(readings.map((x) => x.asOf))!,
    ...(exp ? { exp } : {}),
    lists: readings.map((x) => x.uri),
  };
}

async function fromLists(c: Context, fetchList: (uri: string) => Promise<string | undefined>): Promise<void> {
  const { r } = c;
  const pointers = statusPointers(c.parsed);
  if (!pointers) {
    r.fail('status', 'no_status_list', 'the credential points at no status list: only the ledger knows its status');
    return;
  }
  if (!pointers.length) {
    r.fail('status', 'status_list_invalid', 'the credential’s status entry is malformed');
    return;
  }
  const outcomes: ListOutcome[] = [];
  for (const ptr of pointers) {
    let jwt: string | undefined;
    try {
      jwt = await fetchList(ptr.uri);
    } catch {
      jwt = undefined;
    }
    outcomes.push(
      jwt === undefined
        ? { ok: false, problem: 'unavailable', detail: `the list at ${ptr.uri} is not available` }
        : await readStatusList(jwt, ptr, c.issuer, c.verifySignature, c.now),
    );
  }
  const unusable = outcomes.find((o) => !o.ok && o.problem !== 'expired');
  if (unusable && !unusable.ok) {
    r.fail(
      'status',
      unusable.problem === 'unavailable' ? 'status_list_unavailable' : 'status_list_invalid',
      unusable.detail,
    );
    return;
  }
  const report = combined(outcomes.map((o) => o.reading!));
  c.statusList = report;
  const expired = outcomes.find((o) => !o.ok);
  const asOf = `as of ${report.asOf}`;
  if (report.status === 'revoked') r.fail('status', 'revoked', `revoked, ${asOf}, says the issuer's status list`);
  else if (expired && !expired.ok)
    r.fail('status', 'status_list_expired', `${expired.detail}; it said ${report.status} ${asOf}`);
  else if (report.status === 'suspended')
    r.fail('status', 'suspended', `suspended, ${asOf}, says the issuer's status list`);
  else {
    r.pass('status');
    r.statusFromLists();
  }
}

export const status: Fragment = async (c) => {
  if (c.deps.anchor) fromAnchor(c);
  else if (c.deps.statusList) await fromLists(c, c.deps.statusList.bind(c.deps));
};
