/**
 * The ledger's projection on SQLite: anchors, issuers and checkpoints. Not durable writes
 * (synchronous=NORMAL): the ledger is the source of truth and replay from the checkpoint
 * repairs what a power loss rolls back. Each upsert applies only a change not older than
 * the stored one, compared as (block, tx).
 */
import type { AnchorProjection, Checkpoint, IssuerProjection, ProjectionStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, json, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putAnchor: db.prepare(`
        INSERT INTO anchors (id, type, issuer, kid, digest, holder_ref, valid_from, valid_until, status, status_reason,
                             replaces, replaced_by, anchored_at, tx_id, block, updated_at, updated_block, updated_tx)
        VALUES (@id, @type, @issuer, @kid, @digest, @holder_ref, @valid_from, @valid_until, @status, @status_reason,
                @replaces, @replaced_by, @anchored_at, @tx_id, @block, @updated_at, @updated_block, @updated_tx)
        ON CONFLICT (id) DO UPDATE SET
          type = excluded.type, issuer = excluded.issuer, kid = excluded.kid, digest = excluded.digest,
          holder_ref = excluded.holder_ref, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
          status = excluded.status, status_reason = excluded.status_reason, replaces = excluded.replaces,
          replaced_by = excluded.replaced_by, anchored_at = excluded.anchored_at,
          tx_id = excluded.tx_id, block = excluded.block, updated_at = excluded.updated_at,
          updated_block = excluded.updated_block, updated_tx = excluded.updated_tx
        WHERE (excluded.updated_block, excluded.updated_tx) >= (anchors.updated_block, anchors.updated_tx)`),
    getAnchor: db.prepare(`SELECT * FROM anchors WHERE id = ?`),
    // Served by anchors_expiring (a partial index on exactly these conditions).
    expiring: db.prepare(`
        SELECT * FROM anchors
        WHERE issuer = @issuer AND status = 'active' AND replaced_by IS NULL
          AND valid_until >= @from AND valid_until < @to
          AND (valid_until, id) > (@after_until, @after_id)
        ORDER BY valid_until, id LIMIT @limit`),

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
  };
}

export class SqliteProjection implements ProjectionStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putAnchor(p: AnchorProjection): Promise<void> {
    this.db.check();
    this.putAnchorRow(p);
  }

  /** The upsert itself, synchronous, for a caller's transaction. */
  putAnchorRow(p: AnchorProjection): void {
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
      replaces: p.replaces ?? null,
      replaced_by: p.replacedBy ?? null,
      anchored_at: p.anchoredAt,
      tx_id: p.txId,
      block: p.block,
      updated_at: p.updatedAt,
      updated_block: p.updatedBlock,
      updated_tx: p.updatedTx,
    });
  }

  async getAnchor(id: string): Promise<AnchorProjection | undefined> {
    this.db.check();
    const row = this.s.getAnchor.get(id) as Row | undefined;
    return row && anchorFromRow(row);
  }

  async expiringAnchors(
    issuer: string,
    from: string,
    to: string,
    limit: number,
    after?: { validUntil: string; id: string },
  ): Promise<AnchorProjection[]> {
    this.db.check();
    const rows = this.s.expiring.all({
      issuer,
      from,
      to,
      limit,
      after_until: after?.validUntil ?? '',
      after_id: after?.id ?? '',
    }) as Row[];
    return rows.map(anchorFromRow);
  }

  async putIssuer(p: IssuerProjection): Promise<void> {
    this.db.check();
    this.s.putIssuer.run({
      id: p.issuer.id,
      record: json(p.issuer),
      updated_block: p.updatedBlock,
      updated_tx: p.updatedTx,
    });
  }

  async getIssuer(id: string): Promise<IssuerProjection | undefined> {
    this.db.check();
    const row = this.s.getIssuer.get(id) as Row | undefined;
    return row && issuerFromRow(row);
  }

  async listIssuers(): Promise<IssuerProjection[]> {
    this.db.check();
    return (this.s.listIssuers.all() as Row[]).map(issuerFromRow);
  }

  async getCheckpoint(name: string): Promise<Checkpoint | undefined> {
    this.db.check();
    const row = this.s.getCheckpoint.get(name) as { block: number; tx_index: number } | undefined;
    return row && { block: row.block, txIndex: row.tx_index };
  }

  async putCheckpoint(name: string, c: Checkpoint): Promise<void> {
    this.db.check();
    this.s.putCheckpoint.run({ name, block: c.block, tx_index: c.txIndex });
  }
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
    replaces: opt(r.replaces as string | null),
    replacedBy: opt(r.replaced_by as string | null),
    anchoredAt: r.anchored_at as string,
    txId: r.tx_id as string,
    block: r.block as number,
    updatedAt: r.updated_at as string,
    updatedBlock: r.updated_block as number,
    updatedTx: r.updated_tx as number,
  });
}

function issuerFromRow(r: Row): IssuerProjection {
  return {
    issuer: JSON.parse(r.record as string),
    updatedBlock: r.updated_block as number,
    updatedTx: r.updated_tx as number,
  };
}
