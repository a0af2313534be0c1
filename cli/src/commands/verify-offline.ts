/**
 * anxin verify --offline: verification from files alone, as a verifier without Anxin's API
 * does it — a trust list (issuers and keys, valid until its `exp`) and the status lists the
 * credential points at, as GET /v1/status-lists/… served them. No ledger is asked: the core
 * reads the status from the issuer-signed lists and says as of when.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { issuersWithUscc, type VerifyDeps } from '@anxin/gateway/verify';
import { CliError } from '../common';
import { loadTrustList } from './trust-list';

const badList = (message: string) => new CliError(message, { code: 'INVALID_INPUT' });

/** The URL a signed status list says it is published at: a Token Status List's `sub`, a Bitstring list's `id`. */
function listUrl(jwt: string, file: string): string {
  const parts = jwt.split('.');
  let payload: { sub?: unknown; id?: unknown } | undefined;
  try {
    payload =
      parts.length === 3
        ? (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof payload)
        : undefined;
  } catch {
    payload = undefined;
  }
  const url = typeof payload?.sub === 'string' ? payload.sub : typeof payload?.id === 'string' ? payload.id : undefined;
  if (!url)
    throw badList(`--status-list: ${file} is not a status list (a statuslist+jwt or a BitstringStatusListCredential)`);
  return url;
}

/**
 * Status list files by the URL each says it is published at. A directory gives each of its
 * files. Nothing here is trusted: the verification judges each list (issuer, key, signature, exp).
 */
export function loadStatusLists(paths: readonly string[]): Map<string, string> {
  const lists = new Map<string, string>();
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw badList(`--status-list: ${p} does not exist`);
    }
    if (isDir) for (const f of readdirSync(p).sort()) files.push(join(p, f));
    else files.push(p);
  }
  for (const f of files) {
    const jwt = readFileSync(f, 'utf8').trim();
    lists.set(listUrl(jwt, f), jwt);
  }
  return lists;
}

/** Deps from a trust list and status list files, and how to say what was verified against. */
export async function offlineDeps(
  o: {
    offline?: boolean;
    trustList?: string;
    trustKeyThumbprint?: string;
    statusList?: string[];
    statusUrl?: string;
    data?: string;
    file?: string;
    fabric?: string;
  },
  notes: string[],
): Promise<{ deps: VerifyDeps; against: string }> {
  if (!o.offline) throw new CliError('--status-list goes with --offline');
  if (o.data || o.file || o.fabric || o.statusUrl)
    throw new CliError('--offline verifies from files only: not with --data, --file, --fabric or --status-url');
  if (!o.trustList) throw new CliError('--offline needs --trust-list (a trust list saved from GET /v1/trust-list)');
  const now = new Date();
  const t = await loadTrustList(o.trustList, o.trustKeyThumbprint, now);
  if (typeof t.list.exp !== 'number')
    throw badList(`--trust-list: ${o.trustList} has no exp: save a fresh one from GET /v1/trust-list`);
  const issuers = new Map(t.list.issuers.map((i) => [i.id, i] as const));
  const lists = loadStatusLists(o.statusList ?? []);
  const iso = (s: number | undefined) => (s ? new Date(s * 1000).toISOString() : 'an unknown time');
  if (!t.pinned)
    notes.push(
      `the trust list's key ${t.thumbprint} is not pinned: anyone can sign a trust list with a key of their own; compare it with the gateway's /.well-known/jwks.json and pass --trust-key-thumbprint`,
    );
  return {
    deps: {
      issuer: (id) => issuers.get(id),
      issuersByUscc: (uscc) => issuersWithUscc(issuers.values(), uscc),
      statusList: (uri) => Promise.resolve(lists.get(uri)),
      now: () => now,
    },
    against: `the trust list ${o.trustList} (signed by ${t.kid} at ${iso(t.list.iat)}, valid until ${iso(t.list.exp)}${t.pinned ? ', pinned' : ', key not pinned'}) and ${lists.size} status list file(s), without a ledger`,
  };
}
