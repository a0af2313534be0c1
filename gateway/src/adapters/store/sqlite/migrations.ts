/**
 * The SQLite store's schema, created on open and versioned with `PRAGMA user_version`:
 * `MIGRATIONS[n]` takes the schema from version n to n + 1, inside one transaction. A
 * migration is never edited once released, only appended to, so a store written by any
 * earlier gateway opens and is brought up to date.
 *
 * Every column that is queried is a column; nested values that are only ever read back
 * whole (sealed blobs, JWKs, the issuer record, an idempotent response) are JSON text.
 */
import type Database from 'better-sqlite3';

/** Schema migrations, applied in order inside one transaction each; index n takes version n to n + 1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY,
    hash           TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    principal_id   TEXT NOT NULL,
    scopes         TEXT NOT NULL,          -- JSON array
    label          TEXT,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT
  );
  CREATE INDEX api_keys_by_principal ON api_keys (principal_type, principal_id);

  CREATE TABLE custodial_keys (
    kid        TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    alg        TEXT NOT NULL,
    public_jwk TEXT NOT NULL,              -- JSON
    sealed     TEXT NOT NULL,              -- JSON { iv, ct, tag, kek }
    created_at TEXT NOT NULL
  );
  CREATE INDEX custodial_keys_by_owner ON custodial_keys (owner);

  CREATE TABLE credentials (
    id               TEXT PRIMARY KEY,
    issuer           TEXT NOT NULL,
    type             TEXT NOT NULL,
    format           TEXT NOT NULL,
    sealed           TEXT NOT NULL,        -- JSON { iv, ct, tag, kek }
    digest           TEXT NOT NULL,
    anchor_statement TEXT NOT NULL,
    state            TEXT NOT NULL,
    anchor           TEXT,                 -- JSON { txId, block, anchoredAt }
    created_at       TEXT NOT NULL,
    idempotency_key  TEXT
  );
  CREATE INDEX credentials_by_issuer ON credentials (issuer, created_at);
  CREATE INDEX credentials_pending ON credentials (state) WHERE state = 'pending';

  CREATE TABLE idempotency (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT,                     -- JSON { status, body }
    resource     TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (principal, key)
  );

  CREATE TABLE anchors (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    kid           TEXT NOT NULL,
    digest        TEXT NOT NULL,
    holder_ref    TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT,
    status        TEXT NOT NULL,
    status_reason TEXT,
    anchored_at   TEXT NOT NULL,
    tx_id         TEXT NOT NULL,
    block         INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_block INTEGER NOT NULL,
    updated_tx    INTEGER NOT NULL
  );
  CREATE INDEX anchors_by_issuer ON anchors (issuer);

  CREATE TABLE issuers (
    id            TEXT PRIMARY KEY,
    record        TEXT NOT NULL,           -- JSON IssuerRecord
    updated_block INTEGER NOT NULL,
    updated_tx    INTEGER NOT NULL
  );

  CREATE TABLE checkpoints (
    name     TEXT PRIMARY KEY,
    block    INTEGER NOT NULL,
    tx_index INTEGER NOT NULL
  );

  CREATE TABLE verifications (
    credential_id TEXT NOT NULL,
    verifier      TEXT NOT NULL,
    at            TEXT NOT NULL,
    at_ms         INTEGER NOT NULL,
    verified      INTEGER NOT NULL,
    PRIMARY KEY (credential_id, verifier, at)
  );
  CREATE INDEX verifications_by_time ON verifications (credential_id, at_ms);
  `,
  // v2: a one-row table whose FULL-synchronous commit is the group commit of durable writes.
  `CREATE TABLE durability (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);`,
  // v3: verifiers' webhooks, and the outbox of status-change notifications to them.
  `
  CREATE TABLE webhooks (
    verifier   TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    verifier        TEXT NOT NULL,
    url             TEXT NOT NULL,
    credential_id   TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT
  );
  CREATE INDEX notifications_due ON notifications (state, next_attempt_ms);
  CREATE INDEX notifications_of ON notifications (verifier, created_ms);
  `,
  // v4: what retention deletes by time.
  `
  CREATE INDEX verifications_at ON verifications (at_ms);
  CREATE INDEX notifications_done ON notifications (created_ms) WHERE state <> 'pending';
  `,
  // v5: one-time nonces — verifiers' challenges and OpenID4VCI c_nonces.
  `
  CREATE TABLE nonces (
    nonce      TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    principal  TEXT,
    aud        TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_at    TEXT
  );
  CREATE INDEX nonces_expiry ON nonces (expires_ms);
  `,
  // v6: leases — on idempotency claims (a crashed holder's claim can be taken over once its
  // lease ends) and on notifications (one gateway at a time sends each).
  `
  ALTER TABLE idempotency ADD COLUMN lease_until TEXT;
  ALTER TABLE idempotency ADD COLUMN lease_ms INTEGER;
  ALTER TABLE notifications ADD COLUMN lease_owner TEXT;
  `,
  // v7: status list entries, projected from the anchors that carry one.
  `
  CREATE TABLE status_entries (
    list          TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    status        TEXT NOT NULL,
    updated_block INTEGER NOT NULL,
    updated_tx    INTEGER NOT NULL,
    PRIMARY KEY (list, idx)
  );
  CREATE INDEX status_entries_of ON status_entries (issuer, list);
  `,
  // v8: what the store belongs to — the ledger (block 0) and the key-encryption key; one row.
  `
  CREATE TABLE store_identity (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    ledger_channel TEXT NOT NULL,
    genesis_hash   TEXT NOT NULL,
    kek            TEXT NOT NULL,
    created_at     TEXT NOT NULL
  );
  `,
  // v9: credential offers (OpenID4VCI pre-authorized code flow); secrets as hashes, the request sealed.
  `
  CREATE TABLE credential_offers (
    id               TEXT PRIMARY KEY,
    issuer           TEXT NOT NULL,
    configuration_id TEXT NOT NULL,
    sealed           TEXT NOT NULL,        -- JSON { iv, ct, tag, kek }
    code_hash        TEXT NOT NULL UNIQUE,
    pin_hash         TEXT NOT NULL,
    pin_salt         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    expires_ms       INTEGER NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    redeemed_at      TEXT,
    token_hash       TEXT UNIQUE,
    token_expires_at TEXT,
    credential_id    TEXT
  );
  CREATE INDEX credential_offers_expiry ON credential_offers (expires_ms);
  `,
  // v10: printed work cards, each behind the hash of its own secret.
  `
  CREATE TABLE printed_cards (
    id            TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    disclose      TEXT NOT NULL,           -- JSON array of paths
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
  );
  CREATE INDEX printed_cards_of ON printed_cards (credential_id);
  `,
  // v11: the renewal chain the ledger records on anchors, and what expires soon per issuer;
  // credentials found by their holder key (its thumbprint; '' when bound to none; NULL until
  // indexed — the gateway fills older rows in from the sealed credential at start); how each
  // verification judged the holder binding.
  `
  ALTER TABLE anchors ADD COLUMN replaces TEXT;
  ALTER TABLE anchors ADD COLUMN replaced_by TEXT;
  CREATE INDEX anchors_expiring ON anchors (issuer, valid_until) WHERE status = 'active' AND replaced_by IS NULL;
  ALTER TABLE credentials ADD COLUMN holder_jkt TEXT;
  CREATE INDEX credentials_by_holder_key ON credentials (holder_jkt, created_at) WHERE holder_jkt IS NOT NULL AND holder_jkt <> '';
  CREATE INDEX credentials_holder_key_unknown ON credentials (id) WHERE holder_jkt IS NULL AND format = 'dc+sd-jwt';
  ALTER TABLE verifications ADD COLUMN binding TEXT;
  `,
  // v12: presentation requests (OpenID4VP), so that any gateway sharing the store takes the
  // wallet's answer; the answer, which holds what the worker disclosed, sealed.
  `
  CREATE TABLE presentation_requests (
    id            TEXT PRIMARY KEY,
    verifier_type TEXT NOT NULL,
    verifier_id   TEXT NOT NULL,
    request       TEXT NOT NULL,           -- JSON: what the request object is signed from
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    expires_ms    INTEGER NOT NULL,
    answered_at   TEXT,
    answer        TEXT                     -- JSON { iv, ct, tag, kek }
  );
  CREATE INDEX presentation_requests_expiry ON presentation_requests (expires_ms);
  `,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** The schema version a store file is at. */
function versionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema of `db` (the store at `file`) to SQLITE_SCHEMA_VERSION; refuses a newer one. */
export function migrate(db: Database.Database, file: string): void {
  const version = versionOf(db);
  if (version > MIGRATIONS.length) {
    throw new Error(
      `store: ${file} has schema version ${version}, newer than this gateway supports (${MIGRATIONS.length}); upgrade the gateway`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * For a store opened read only: refuses a schema newer than this code reads. An older one
 * is read as it is (nothing is migrated): what its version lacks fails when asked for.
 */
export function checkReadable(db: Database.Database, file: string): void {
  const version = versionOf(db);
  if (version > MIGRATIONS.length)
    throw new Error(
      `store: ${file} has schema version ${version}, newer than this tool reads (${MIGRATIONS.length}); upgrade it`,
    );
}
