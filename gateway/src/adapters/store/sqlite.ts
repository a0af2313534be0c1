/**
 * Store adapter on SQLite (better-sqlite3): the embedded default.
 *
 * Durability. The file runs in WAL mode. Writes of the gateway's own records — API keys,
 * custodial keys, credential records and idempotency claims — are durable once their
 * promise resolves: they wait for a group commit (one FULL-synchronous commit, one
 * fsync, shared by every such write of the same turn), so they survive a crash or a
 * power loss. The projection of the ledger (anchors, issuers, checkpoints) and the
 * verification log commit with `synchronous=NORMAL`: a power loss may roll back the last
 * few of them, never corrupts the file, and (WAL commits are replayed in order) never
 * keeps a checkpoint without the projection writes made before it; the ledger is the
 * source of truth and replay from the checkpoint repairs the projection. A FULL commit
 * syncs the whole WAL, so it also makes every NORMAL commit before it durable.
 *
 * Schema. Created on open and versioned with `PRAGMA user_version`; `MIGRATIONS[n]` takes
 * the schema from version n to n + 1. Every column that is queried is a column; nested
 * values that are only ever read back whole (sealed blobs, JWKs, the issuer record, an
 * idempotent response) are JSON text.
 *
 * Instants. The port carries RFC 3339 strings. Where the store compares or orders them
 * (the verification log) it keeps the instant also as epoch milliseconds, because
 * RFC 3339 strings with and without fractional seconds do not sort as text.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  AnchorProjection,
  ApiKeyRecord,
  Checkpoint,
  CredentialRecord,
  CustodialKeyRecord,
  IdempotencyRecord,
  IssuerProjection,
  NonceRecord,
  NonceUse,
  NotificationRecord,
  Principal,
  PruneCounts,
  RetentionCutoffs,
  Store,
  VerificationLogEntry,
  WebhookRecord,
} from '../../ports/store';
import { whyNotUsable } from './nonce-use';

type Row = Record<string, unknown>;

/** Schema migrations, applied in order inside one transaction each; index n takes version n to n + 1. */
/**
 * How long a durable write waits for others to share its fsync. One fsync costs about a
 * millisecond of blocked event loop here; a few milliseconds of latency buys many writes per fsync.
 */
export const GROUP_COMMIT_MS = 10;

const MIGRATIONS: readonly string[] = [
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
];

/** Rows deleted per statement while pruning: each batch is short, other writes go in between. */
const PRUNE_BATCH = 5_000;

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Epoch milliseconds of an RFC 3339 instant; throws on anything else (it would silently break ordering). */
function instantMs(s: string, what: string): number {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new TypeError(`store: ${what} is not an RFC 3339 instant: ${JSON.stringify(s)}`);
  return ms;
}

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const json = (v: unknown): string => JSON.stringify(v);
const jsonOrNull = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** The columns of a notification that change as it is delivered. */
function notificationRow(n: NotificationRecord) {
  return {
    id: n.id,
    state: n.state,
    attempts: n.attempts,
    next_attempt_at: n.nextAttemptAt,
    next_attempt_ms: instantMs(n.nextAttemptAt, 'next attempt time'),
    last_error: n.lastError ?? null,
    delivered_at: n.deliveredAt ?? null,
  };
}

function notificationOf(r: Row): NotificationRecord {
  return compact({
    id: r.id as string,
    verifier: r.verifier as string,
    url: r.url as string,
    credentialId: r.credential_id as string,
    body: r.body as string,
    state: r.state as NotificationRecord['state'],
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as string,
    createdAt: r.created_at as string,
    lastError: opt(r.last_error as string | null),
    deliveredAt: opt(r.delivered_at as string | null),
  });
}

/** Drop keys whose value is undefined, so records read back deep-equal what was written. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private closed = false;
  private readonly s: ReturnType<SqliteStore['prepare']>;

  /**
   * Opens (creating if needed) the store at `file`; `':memory:'` for a throwaway store.
   * `readonly`: for auditors (anxin replay --store) — the file must exist, nothing is
   * written, no migration is run (a store of an older schema is read as it is: what its
   * version lacks fails when asked for, naming the table).
   */
  constructor(
    readonly file: string,
    private readonly options: { readonly?: boolean } = {},
  ) {
    const memory = file === ':memory:' || file === '';
    if (options.readonly) {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        this.db.pragma('busy_timeout = 5000');
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > MIGRATIONS.length)
          throw new Error(
            `store: ${file} has schema version ${version}, newer than this tool reads (${MIGRATIONS.length}); upgrade it`,
          );
        this.s = this.prepare();
      } catch (e) {
        this.db.close();
        throw e;
      }
      return;
    }
    if (!memory) {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // Create it owner-only before SQLite does: it holds API key hashes and sealed keys.
      // SQLite gives the -wal and -shm files the permissions of the database file.
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
      this.s = this.prepare();
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `store: ${this.file} has schema version ${version}, newer than this gateway supports (${MIGRATIONS.length}); upgrade the gateway`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  private prepare() {
    const readonly = this.options.readonly;
    const db = {
      prepare: (sql: string): Database.Statement => {
        try {
          return this.db.prepare(sql);
        } catch (e) {
          // A read-only store of an older schema: this statement's table is not there yet.
          if (!readonly || !/no such table/.test((e as Error).message)) throw e;
          const fail = () => {
            throw new Error(`store: ${(e as Error).message} (schema version of ${this.file} is older)`);
          };
          return { run: fail, get: fail, all: fail, iterate: fail } as unknown as Database.Statement;
        }
      },
    };
    return {
      putApiKey: db.prepare(`
        INSERT INTO api_keys (id, hash, principal_type, principal_id, scopes, label, created_at, revoked_at)
        VALUES (@id, @hash, @principal_type, @principal_id, @scopes, @label, @created_at, @revoked_at)
        ON CONFLICT (id) DO UPDATE SET
          hash = excluded.hash, principal_type = excluded.principal_type, principal_id = excluded.principal_id,
          scopes = excluded.scopes, label = excluded.label, created_at = excluded.created_at, revoked_at = excluded.revoked_at`),
      getApiKey: db.prepare(`SELECT * FROM api_keys WHERE id = ?`),
      listApiKeys: db.prepare(`SELECT * FROM api_keys ORDER BY created_at, id`),
      listApiKeysOf: db.prepare(
        `SELECT * FROM api_keys WHERE principal_type = ? AND principal_id = ? ORDER BY created_at, id`,
      ),

      putCustodialKey: db.prepare(`
        INSERT INTO custodial_keys (kid, owner, alg, public_jwk, sealed, created_at)
        VALUES (@kid, @owner, @alg, @public_jwk, @sealed, @created_at)
        ON CONFLICT (kid) DO UPDATE SET
          owner = excluded.owner, alg = excluded.alg, public_jwk = excluded.public_jwk,
          sealed = excluded.sealed, created_at = excluded.created_at`),
      getCustodialKey: db.prepare(`SELECT * FROM custodial_keys WHERE kid = ?`),
      listCustodialKeys: db.prepare(`SELECT * FROM custodial_keys WHERE owner = ? ORDER BY created_at, kid`),

      // An anchored record is never turned back into a pending one (a late retry of an
      // interrupted issuance must not undo its completion).
      putCredential: db.prepare(`
        INSERT INTO credentials (id, issuer, type, format, sealed, digest, anchor_statement, state, anchor, created_at, idempotency_key)
        VALUES (@id, @issuer, @type, @format, @sealed, @digest, @anchor_statement, @state, @anchor, @created_at, @idempotency_key)
        ON CONFLICT (id) DO UPDATE SET
          issuer = excluded.issuer, type = excluded.type, format = excluded.format, sealed = excluded.sealed,
          digest = excluded.digest, anchor_statement = excluded.anchor_statement, state = excluded.state,
          anchor = excluded.anchor, created_at = excluded.created_at, idempotency_key = excluded.idempotency_key
        WHERE NOT (credentials.state = 'anchored' AND excluded.state = 'pending')`),
      getCredential: db.prepare(`SELECT * FROM credentials WHERE id = ?`),

      claimIdempotency: db.prepare(`
        INSERT INTO idempotency (principal, key, request_hash, response, resource, created_at)
        VALUES (@principal, @key, @request_hash, @response, @resource, @created_at)
        ON CONFLICT (principal, key) DO NOTHING`),
      getIdempotency: db.prepare(`SELECT * FROM idempotency WHERE principal = ? AND key = ?`),
      completeIdempotency: db.prepare(`UPDATE idempotency SET response = ? WHERE principal = ? AND key = ?`),
      releaseIdempotency: db.prepare(`DELETE FROM idempotency WHERE principal = ? AND key = ? AND response IS NULL`),

      putAnchor: db.prepare(`
        INSERT INTO anchors (id, type, issuer, kid, digest, holder_ref, valid_from, valid_until, status, status_reason,
                             anchored_at, tx_id, block, updated_at, updated_block, updated_tx)
        VALUES (@id, @type, @issuer, @kid, @digest, @holder_ref, @valid_from, @valid_until, @status, @status_reason,
                @anchored_at, @tx_id, @block, @updated_at, @updated_block, @updated_tx)
        ON CONFLICT (id) DO UPDATE SET
          type = excluded.type, issuer = excluded.issuer, kid = excluded.kid, digest = excluded.digest,
          holder_ref = excluded.holder_ref, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
          status = excluded.status, status_reason = excluded.status_reason, anchored_at = excluded.anchored_at,
          tx_id = excluded.tx_id, block = excluded.block, updated_at = excluded.updated_at,
          updated_block = excluded.updated_block, updated_tx = excluded.updated_tx
        WHERE (excluded.updated_block, excluded.updated_tx) >= (anchors.updated_block, anchors.updated_tx)`),
      getAnchor: db.prepare(`SELECT * FROM anchors WHERE id = ?`),

      putIssuer: db.prepare(`
        INSERT INTO issuers (id, record, updated_block, updated_tx) VALUES (@id, @record, @updated_block, @updated_tx)
        ON CONFLICT (id) DO UPDATE SET
          record = excluded.record, updated_block = excluded.updated_block, updated_tx = excluded.updated_tx
        WHERE (excluded.updated_block, excluded.updated_tx) >= (issuers.updated_block, issuers.updated_tx)`),
      getIssuer: db.prepare(`SELECT * FROM issuers WHERE id = ?`),
      listIssuers: db.prepare(`SELECT * FROM issuers ORDER BY id`),

      // A checkpoint only moves forward, like the projection it marks.
      putCheckpoint: db.prepare(`
        INSERT INTO checkpoints (name, block, tx_index) VALUES (@name, @block, @tx_index)
        ON CONFLICT (name) DO UPDATE SET block = excluded.block, tx_index = excluded.tx_index
        WHERE (excluded.block, excluded.tx_index) >= (checkpoints.block, checkpoints.tx_index)`),
      getCheckpoint: db.prepare(`SELECT block, tx_index FROM checkpoints WHERE name = ?`),

      recordVerification: db.prepare(`
        INSERT INTO verifications (credential_id, verifier, at, at_ms, verified)
        VALUES (@credential_id, @verifier, @at, @at_ms, @verified)
        ON CONFLICT (credential_id, verifier, at) DO NOTHING`),
      verifiersSince: db.prepare(`
        SELECT credential_id, verifier, at, verified FROM (
          SELECT v.*, ROW_NUMBER() OVER (PARTITION BY verifier ORDER BY at_ms DESC, at DESC, rowid DESC) AS rn
          FROM verifications v WHERE credential_id = ? AND at_ms >= ?
        ) WHERE rn = 1
        ORDER BY at_ms DESC, verifier`),

      putWebhook: db.prepare(`
        INSERT INTO webhooks (verifier, url, created_at) VALUES (@verifier, @url, @created_at)
        ON CONFLICT (verifier) DO UPDATE SET url = excluded.url, created_at = excluded.created_at`),
      getWebhook: db.prepare(`SELECT * FROM webhooks WHERE verifier = ?`),
      deleteWebhook: db.prepare(`DELETE FROM webhooks WHERE verifier = ?`),
      enqueueNotification: db.prepare(`
        INSERT INTO notifications (id, verifier, url, credential_id, body, state, attempts, next_attempt_at,
                                   next_attempt_ms, created_at, created_ms, last_error, delivered_at)
        VALUES (@id, @verifier, @url, @credential_id, @body, @state, @attempts, @next_attempt_at,
                @next_attempt_ms, @created_at, @created_ms, @last_error, @delivered_at)
        ON CONFLICT (id) DO NOTHING`),
      dueNotifications: db.prepare(`
        SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_ms <= ?
        ORDER BY next_attempt_ms, created_ms, id LIMIT ?`),
      updateNotification: db.prepare(`
        UPDATE notifications SET state = @state, attempts = @attempts, next_attempt_at = @next_attempt_at,
          next_attempt_ms = @next_attempt_ms, last_error = @last_error, delivered_at = @delivered_at
        WHERE id = @id`),
      listNotifications: db.prepare(
        `SELECT * FROM notifications WHERE verifier = ? ORDER BY created_ms DESC, id DESC LIMIT ?`,
      ),

      putNonce: db.prepare(`
        INSERT INTO nonces (nonce, purpose, principal, aud, created_at, expires_at, expires_ms, used_at)
        VALUES (@nonce, @purpose, @principal, @aud, @created_at, @expires_at, @expires_ms, NULL)`),
      // Used at most once: the update matches only an unused, unexpired nonce of that purpose (and owner).
      useNonce: db.prepare(`
        UPDATE nonces SET used_at = @now
        WHERE nonce = @nonce AND purpose = @purpose AND used_at IS NULL AND expires_ms > @now_ms
          AND (@principal IS NULL OR principal = @principal)`),
      getNonce: db.prepare(`SELECT * FROM nonces WHERE nonce = ?`),

      pruneVerifications: db.prepare(
        `DELETE FROM verifications WHERE rowid IN (SELECT rowid FROM verifications WHERE at_ms < ? LIMIT ${PRUNE_BATCH})`,
      ),
      // Claims are written with toISOString(); julianday() compares them as instants all the same.
      pruneIdempotency: db.prepare(
        `DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency
           WHERE response IS NOT NULL AND julianday(created_at) < julianday(?) LIMIT ${PRUNE_BATCH})`,
      ),
      pruneNotifications: db.prepare(
        `DELETE FROM notifications WHERE rowid IN (SELECT rowid FROM notifications
           WHERE state <> 'pending' AND created_ms < ? LIMIT ${PRUNE_BATCH})`,
      ),
      pruneNonces: db.prepare(
        `DELETE FROM nonces WHERE rowid IN (SELECT rowid FROM nonces WHERE expires_ms < ? LIMIT ${PRUNE_BATCH})`,
      ),

      ping: db.prepare(`SELECT 1 AS ok`),
      syncFull: db.prepare(`PRAGMA synchronous = FULL`),
      touchDurability: db.prepare(`INSERT OR REPLACE INTO durability (id, at) VALUES (1, ?)`),
      syncNormal: db.prepare(`PRAGMA synchronous = NORMAL`),
    };
  }

  private open(): void {
    if (this.closed) throw new Error('store: closed');
  }

  /**
   * Runs a write that must survive a crash once its promise resolves. The write commits
   * at once (NORMAL); durability comes from a group commit: the first durable write schedules, GROUP_COMMIT_MS later, one FULL-synchronous commit (one fsync of the WAL) that makes it and
   * every commit before it durable, and every durable write of that turn waits for it.
   * Under load that is one fsync per batch of writes instead of one per write.
   */
  private async durably<T>(write: () => T): Promise<T> {
    this.open();
    const result = write();
    await this.syncBarrier();
    return result;
  }

  private barrier?: Promise<void>;

  private syncBarrier(): Promise<void> {
    this.barrier ??= new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        this.barrier = undefined;
        try {
          this.open();
          this.s.syncFull.run();
          try {
            this.s.touchDurability.run(Date.now());
          } finally {
            this.s.syncNormal.run();
          }
          resolve();
        } catch (e) {
          reject(e as Error);
        }
      }, GROUP_COMMIT_MS);
    });
    return this.barrier;
  }

  // ---- API keys -------------------------------------------------------------------------

  async putApiKey(r: ApiKeyRecord): Promise<void> {
    await this.durably(() =>
      this.s.putApiKey.run({
        id: r.id,
        hash: r.hash,
        principal_type: r.principal.type,
        principal_id: r.principal.id,
        scopes: json(r.scopes),
        label: r.label ?? null,
        created_at: r.createdAt,
        revoked_at: r.revokedAt ?? null,
      }),
    );
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.open();
    const row = this.s.getApiKey.get(id) as Row | undefined;
    return row && apiKeyFromRow(row);
  }

  async listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]> {
    this.open();
    const rows = (
      principal ? this.s.listApiKeysOf.all(principal.type, principal.id) : this.s.listApiKeys.all()
    ) as Row[];
    return rows.map(apiKeyFromRow);
  }

  // ---- custodial keys -------------------------------------------------------------------

  async putCustodialKey(r: CustodialKeyRecord): Promise<void> {
    await this.durably(() =>
      this.s.putCustodialKey.run({
        kid: r.kid,
        owner: r.owner,
        alg: r.alg,
        public_jwk: json(r.publicJwk),
        sealed: json(r.sealed),
        created_at: r.createdAt,
      }),
    );
  }

  async getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined> {
    this.open();
    const row = this.s.getCustodialKey.get(kid) as Row | undefined;
    return row && custodialKeyFromRow(row);
  }

  async listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]> {
    this.open();
    return (this.s.listCustodialKeys.all(owner) as Row[]).map(custodialKeyFromRow);
  }

  // ---- credentials ----------------------------------------------------------------------

  async putCredential(r: CredentialRecord): Promise<void> {
    await this.durably(() =>
      this.s.putCredential.run({
        id: r.id,
        issuer: r.issuer,
        type: r.type,
        format: r.format,
        sealed: json(r.sealed),
        digest: r.digest,
        anchor_statement: r.anchorStatement,
        state: r.state,
        anchor: jsonOrNull(r.anchor),
        created_at: r.createdAt,
        idempotency_key: r.idempotencyKey ?? null,
      }),
    );
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.open();
    const row = this.s.getCredential.get(id) as Row | undefined;
    return row && credentialFromRow(row);
  }

  // ---- idempotency ----------------------------------------------------------------------

  async claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    // Insert-or-read in one IMMEDIATE transaction: another connection (another process on
    // the same file) can neither insert nor release between our insert and our read.
    return this.durably(() =>
      this.db
        .transaction((): IdempotencyRecord | undefined => {
          const { changes } = this.s.claimIdempotency.run({
            principal: r.principal,
            key: r.key,
            request_hash: r.requestHash,
            response: jsonOrNull(r.response),
            resource: r.resource ?? null,
            created_at: r.createdAt,
          });
          if (changes === 1) return undefined;
          return idempotencyFromRow(this.s.getIdempotency.get(r.principal, r.key) as Row);
        })
        .immediate(),
    );
  }

  async completeIdempotencyKey(
    principal: string,
    key: string,
    response: { status: number; body: unknown },
  ): Promise<void> {
    await this.durably(() => this.s.completeIdempotency.run(json(response), principal, key));
  }

  async releaseIdempotencyKey(principal: string, key: string): Promise<void> {
    await this.durably(() => this.s.releaseIdempotency.run(principal, key));
  }

  // ---- ledger projection ----------------------------------------------------------------

  async putAnchor(p: AnchorProjection): Promise<void> {
    this.open();
    this.s.putAnchor.run({
      id: p.id,
      type: p.type,
      issuer: p.issuer,
      kid: p.kid,
      digest: p.digest,
      holder_ref: p.holderRef,
      valid_from: p.validFrom,
      valid_until: p.validUntil ?? null,
      status: p.status,
      status_reason: p.statusReason ?? null,
      anchored_at: p.anchoredAt,
      tx_id: p.txId,
      block: p.block,
      updated_at: p.updatedAt,
      updated_block: p.updatedBlock,
      updated_tx: p.updatedTx,
    });
  }

  async getAnchor(id: string): Promise<AnchorProjection | undefined> {
    this.open();
    const row = this.s.getAnchor.get(id) as Row | undefined;
    return row && anchorFromRow(row);
  }

  async putIssuer(p: IssuerProjection): Promise<void> {
    this.open();
    this.s.putIssuer.run({
      id: p.issuer.id,
      record: json(p.issuer),
      updated_block: p.updatedBlock,
      updated_tx: p.updatedTx,
    });
  }

  async getIssuer(id: string): Promise<IssuerProjection | undefined> {
    this.open();
    const row = this.s.getIssuer.get(id) as Row | undefined;
    return row && issuerFromRow(row);
  }

  async listIssuers(): Promise<IssuerProjection[]> {
    this.open();
    return (this.s.listIssuers.all() as Row[]).map(issuerFromRow);
  }

  async getCheckpoint(name: string): Promise<Checkpoint | undefined> {
    this.open();
    const row = this.s.getCheckpoint.get(name) as { block: number; tx_index: number } | undefined;
    return row && { block: row.block, txIndex: row.tx_index };
  }

  async putCheckpoint(name: string, c: Checkpoint): Promise<void> {
    this.open();
    this.s.putCheckpoint.run({ name, block: c.block, tx_index: c.txIndex });
  }

  // ---- verification log -----------------------------------------------------------------

  async recordVerifications(entries: VerificationLogEntry[]): Promise<void> {
    this.open();
    const rows = entries.map((e) => ({
      credential_id: e.credentialId,
      verifier: e.verifier,
      at: e.at,
      at_ms: instantMs(e.at, 'verification time'),
      verified: e.verified ? 1 : 0,
    }));
    this.db.transaction(() => {
      for (const r of rows) this.s.recordVerification.run(r);
    })();
  }

  async verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]> {
    this.open();
    const rows = this.s.verifiersSince.all(credentialId, instantMs(since, 'since')) as Row[];
    return rows.map((r) => ({
      credentialId: r.credential_id as string,
      verifier: r.verifier as string,
      at: r.at as string,
      verified: r.verified === 1,
    }));
  }

  // ---- webhooks and their outbox --------------------------------------------------------

  async putWebhook(r: WebhookRecord): Promise<void> {
    await this.durably(() => this.s.putWebhook.run({ verifier: r.verifier, url: r.url, created_at: r.createdAt }));
  }

  async getWebhook(verifier: string): Promise<WebhookRecord | undefined> {
    this.open();
    const r = this.s.getWebhook.get(verifier) as Row | undefined;
    return r ? { verifier: r.verifier as string, url: r.url as string, createdAt: r.created_at as string } : undefined;
  }

  async deleteWebhook(verifier: string): Promise<boolean> {
    return (await this.durably(() => this.s.deleteWebhook.run(verifier))).changes > 0;
  }

  async enqueueNotifications(n: NotificationRecord[]): Promise<number> {
    const rows = n.map((x) => ({
      ...notificationRow(x),
      credential_id: x.credentialId,
      body: x.body,
      verifier: x.verifier,
      url: x.url,
      created_at: x.createdAt,
      created_ms: instantMs(x.createdAt, 'notification time'),
    }));
    return this.durably(() =>
      this.db.transaction(() => rows.reduce((added, r) => added + this.s.enqueueNotification.run(r).changes, 0))(),
    );
  }

  async dueNotifications(now: string, limit: number): Promise<NotificationRecord[]> {
    this.open();
    return (this.s.dueNotifications.all(instantMs(now, 'now'), limit) as Row[]).map(notificationOf);
  }

  async updateNotification(n: NotificationRecord): Promise<void> {
    await this.durably(() => this.s.updateNotification.run(notificationRow(n)));
  }

  async listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]> {
    this.open();
    return (this.s.listNotifications.all(verifier, limit) as Row[]).map(notificationOf);
  }

  // ---- one-time nonces ------------------------------------------------------------------

  async putNonce(r: NonceRecord): Promise<void> {
    this.open();
    // Not a durable write: a challenge lost to a power cut only makes its answer fail.
    this.s.putNonce.run({
      nonce: r.nonce,
      purpose: r.purpose,
      principal: r.principal ?? null,
      aud: r.aud ?? null,
      created_at: r.createdAt,
      expires_at: r.expiresAt,
      expires_ms: instantMs(r.expiresAt, 'nonce expiry'),
    });
  }

  async useNonce(
    q: { nonce: string; purpose: NonceRecord['purpose']; principal?: string },
    now: string,
  ): Promise<NonceUse> {
    const nowMs = instantMs(now, 'now');
    // Durable: a nonce marked used must still be used after a crash, or its answer could be replayed.
    return this.durably(() =>
      this.db
        .transaction((): NonceUse => {
          const { changes } = this.s.useNonce.run({
            nonce: q.nonce,
            purpose: q.purpose,
            principal: q.principal ?? null,
            now,
            now_ms: nowMs,
          });
          const row = this.s.getNonce.get(q.nonce) as Row | undefined;
          const record = row && nonceFromRow(row);
          if (changes === 1) return { ok: true, record: record! };
          return { ok: false, why: whyNotUsable(record, q, nowMs) };
        })
        .immediate(),
    );
  }

  // ---- retention ------------------------------------------------------------------------

  async prune(c: RetentionCutoffs): Promise<PruneCounts> {
    this.open();
    const batches = async (stmt: Database.Statement, arg: number | string): Promise<number> => {
      let total = 0;
      for (;;) {
        this.open();
        const n = stmt.run(arg).changes;
        total += n;
        if (n < PRUNE_BATCH) return total;
        await new Promise((r) => setImmediate(r));
      }
    };
    instantMs(c.idempotency, 'idempotency cutoff');
    return {
      verifications: await batches(this.s.pruneVerifications, instantMs(c.verifications, 'verification cutoff')),
      idempotency: await batches(this.s.pruneIdempotency, c.idempotency),
      notifications: await batches(this.s.pruneNotifications, instantMs(c.notifications, 'notification cutoff')),
      nonces: await batches(this.s.pruneNonces, instantMs(c.nonces, 'nonce cutoff')),
    };
  }

  // ---- lifecycle ------------------------------------------------------------------------

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (this.s.ping.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function apiKeyFromRow(r: Row): ApiKeyRecord {
  return compact<ApiKeyRecord>({
    id: r.id as string,
    hash: r.hash as string,
    principal: { type: r.principal_type as ApiKeyRecord['principal']['type'], id: r.principal_id as string },
    scopes: JSON.parse(r.scopes as string),
    label: opt(r.label as string | null),
    createdAt: r.created_at as string,
    revokedAt: opt(r.revoked_at as string | null),
  });
}

function custodialKeyFromRow(r: Row): CustodialKeyRecord {
  return {
    kid: r.kid as string,
    owner: r.owner as string,
    alg: r.alg as CustodialKeyRecord['alg'],
    publicJwk: JSON.parse(r.public_jwk as string),
    sealed: JSON.parse(r.sealed as string),
    createdAt: r.created_at as string,
  };
}

function credentialFromRow(r: Row): CredentialRecord {
  return compact<CredentialRecord>({
    id: r.id as string,
    issuer: r.issuer as string,
    type: r.type as CredentialRecord['type'],
    format: r.format as CredentialRecord['format'],
    sealed: JSON.parse(r.sealed as string),
    digest: r.digest as string,
    anchorStatement: r.anchor_statement as string,
    state: r.state as CredentialRecord['state'],
    anchor: r.anchor === null ? undefined : JSON.parse(r.anchor as string),
    createdAt: r.created_at as string,
    idempotencyKey: opt(r.idempotency_key as string | null),
  });
}

function idempotencyFromRow(r: Row): IdempotencyRecord {
  return compact<IdempotencyRecord>({
    principal: r.principal as string,
    key: r.key as string,
    requestHash: r.request_hash as string,
    response: r.response === null ? undefined : JSON.parse(r.response as string),
    resource: opt(r.resource as string | null),
    createdAt: r.created_at as string,
  });
}

function anchorFromRow(r: Row): AnchorProjection {
  return compact<AnchorProjection>({
    id: r.id as string,
    type: r.type as AnchorProjection['type'],
    issuer: r.issuer as string,
    kid: r.kid as string,
    digest: r.digest as string,
    holderRef: r.holder_ref as string,
    validFrom: r.valid_from as string,
    validUntil: opt(r.valid_until as string | null),
    status: r.status as AnchorProjection['status'],
    statusReason: opt(r.status_reason as AnchorProjection['statusReason'] | null),
    anchoredAt: r.anchored_at as string,
    txId: r.tx_id as string,
    block: r.block as number,
    updatedAt: r.updated_at as string,
    updatedBlock: r.updated_block as number,
    updatedTx: r.updated_tx as number,
  });
}

function nonceFromRow(r: Row): NonceRecord {
  return compact<NonceRecord>({
    nonce: r.nonce as string,
    purpose: r.purpose as NonceRecord['purpose'],
    principal: opt(r.principal as string | null),
    aud: opt(r.aud as string | null),
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
    usedAt: opt(r.used_at as string | null),
  });
}

function issuerFromRow(r: Row): IssuerProjection {
  return {
    issuer: JSON.parse(r.record as string),
    updatedBlock: r.updated_block as number,
    updatedTx: r.updated_tx as number,
  };
}
