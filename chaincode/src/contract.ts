/**
 * The Anxin contract. Thin transactions: each hands its statement to a rule in
 * ./rules, which verifies it against the ledger and decides; the contract writes what
 * the rule decided and emits its event. Reads are `@Transaction(false)`.
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';
import { Rejection } from './errors';
import { anchor, changeStatus } from './rules/anchors';
import type { Effect } from './rules/effect';
import { initLedger } from './rules/init';
import { addKey, registerIssuer, retireKey, revokeKey, updateIssuer } from './rules/issuers';
import { rotateRegistrar } from './rules/registrar';
import { StubState, canonicalBytes, txContext } from './stub-state';
import { CONTRACT_NAME, KEY_PREFIX } from './wire';

const MAX_PAGE = 100;

function emit<R>(ctx: Context, effect: Effect<R>): R {
  ctx.stub.setEvent(effect.event.name, canonicalBytes(effect.event.payload));
  return effect.result;
}

export interface AnchorCheck {
  id: string;
  /** Whether the digest given equals the anchored one. */
  match: boolean;
  anchor: AnchorRecord;
}

export interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value?: AnchorRecord;
}

@Info({
  title: 'Anxin',
  description: 'Fingerprints and status of work credentials, and the issuers allowed to sign them',
})
export class AnxinContract extends Contract {
  constructor() {
    super(CONTRACT_NAME);
  }

  /** Fix the registrar keys, once. Argument: JSON { registrarKeys: [{ keyId, alg, publicJwk }] }. */
  @Transaction()
  async init(ctx: Context, registrarKeysJson: string): Promise<RegistrarRecord> {
    return emit(ctx, await initLedger(new StubState(ctx), registrarKeysJson, txContext(ctx)));
  }

  @Transaction()
  async registerIssuer(ctx: Context, statement: string): Promise<IssuerRecord> {
    return emit(ctx, await registerIssuer(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async updateIssuer(ctx: Context, statement: string): Promise<IssuerRecord> {
    return emit(ctx, await updateIssuer(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async addKey(ctx: Context, statement: string): Promise<IssuerRecord> {
    return emit(ctx, await addKey(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async retireKey(ctx: Context, statement: string): Promise<IssuerRecord> {
    return emit(ctx, await retireKey(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async revokeKey(ctx: Context, statement: string): Promise<IssuerRecord> {
    return emit(ctx, await revokeKey(new StubState(ctx), statement, txContext(ctx)));
  }

  /** Add a registrar key, retire one, or both: signed by a registrar key valid now. */
  @Transaction()
  async rotateRegistrar(ctx: Context, statement: string): Promise<RegistrarRecord> {
    return emit(ctx, await rotateRegistrar(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async anchor(ctx: Context, statement: string): Promise<AnchorRecord> {
    return emit(ctx, await anchor(new StubState(ctx), statement, txContext(ctx)));
  }

  @Transaction()
  async revoke(ctx: Context, statement: string): Promise<AnchorRecord> {
    return emit(ctx, await changeStatus(new StubState(ctx), 'revoke', statement, txContext(ctx)));
  }

  @Transaction()
  async suspend(ctx: Context, statement: string): Promise<AnchorRecord> {
    return emit(ctx, await changeStatus(new StubState(ctx), 'suspend', statement, txContext(ctx)));
  }

  @Transaction()
  async reinstate(ctx: Context, statement: string): Promise<AnchorRecord> {
    return emit(ctx, await changeStatus(new StubState(ctx), 'reinstate', statement, txContext(ctx)));
  }

  @Transaction(false)
  async getAnchor(ctx: Context, id: string): Promise<AnchorRecord> {
    const a = await new StubState(ctx).getAnchor(id);
    if (!a) throw new Rejection('ANCHOR_NOT_FOUND', `credential ${id} is not anchored`);
    return a;
  }

  /** Whether `digest` is the digest anchored for credential `id`, with the anchor as it stands. */
  @Transaction(false)
  async checkDigest(ctx: Context, id: string, digest: string): Promise<AnchorCheck> {
    const a = await this.getAnchor(ctx, id);
    return { id, match: a.digest === digest, anchor: a };
  }

  /** Every committed change to one anchor, oldest first. */
  @Transaction(false)
  async getAnchorHistory(ctx: Context, id: string): Promise<HistoryEntry[]> {
    const key = ctx.stub.createCompositeKey(KEY_PREFIX.anchor, [id]);
    const out: HistoryEntry[] = [];
    const it = await ctx.stub.getHistoryForKey(key);
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const m = r.value;
        const ms = Number(m.timestamp.seconds) * 1000 + Math.floor(m.timestamp.nanos / 1e6);
        out.push({
          txId: m.txId,
          timestamp: new Date(ms).toISOString(),
          isDelete: m.isDelete,
          ...(m.isDelete ? {} : { value: JSON.parse(Buffer.from(m.value).toString('utf8')) as AnchorRecord }),
        });
      }
    } finally {
      await it.close();
    }
    if (!out.length) throw new Rejection('ANCHOR_NOT_FOUND', `credential ${id} was never anchored`);
    return out.reverse(); // Fabric returns newest first
  }

  @Transaction(false)
  async getIssuer(ctx: Context, id: string): Promise<IssuerRecord> {
    const i = await new StubState(ctx).getIssuer(id);
    if (!i) throw new Rejection('ISSUER_UNKNOWN', `no issuer ${id}`);
    return i;
  }

  /** Issuers in id order, a page at a time: `bookmark` from the previous page, '' for the first. */
  @Transaction(false)
  @Returns('object')
  async listIssuers(
    ctx: Context,
    pageSize: string,
    bookmark: string,
  ): Promise<{ issuers: IssuerRecord[]; bookmark: string }> {
    const size = Number(pageSize);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw new Rejection('MALFORMED_ARGUMENT', `pageSize must be an integer 1–${MAX_PAGE}`);
    }
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      KEY_PREFIX.issuer,
      [],
      size,
      bookmark,
    );
    const issuers: IssuerRecord[] = [];
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        issuers.push(JSON.parse(Buffer.from(r.value.value).toString('utf8')) as IssuerRecord);
      }
    } finally {
      await iterator.close();
    }
    return { issuers, bookmark: issuers.length < size ? '' : metadata.bookmark };
  }

  @Transaction(false)
  async getRegistrar(ctx: Context): Promise<RegistrarRecord> {
    const r = await new StubState(ctx).getRegistrar();
    if (!r) throw new Rejection('NOT_INITIALISED', 'the ledger has no registrar keys yet');
    return r;
  }
}
