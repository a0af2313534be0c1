/**
 * The Fabric adapter's `submit`: endorse → submit to the orderer → wait for the commit
 * status → the transaction's index in its block (./locate).
 *
 * Retry policy:
 *  - MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT: the transaction committed invalid, so
 *    none of its writes happened; it is endorsed again from scratch (new tx id, fresh
 *    simulation against the newer state) up to `mvccRetries` times (default 3), with a
 *    short jittered pause. The new simulation re-runs every rule, so a retry may be
 *    refused by the contract (e.g. INVALID_TRANSITION after a concurrent revoke): that
 *    rejection is the answer.
 *  - lost commit status (connection trouble while waiting): the status is asked again,
 *    for the same tx id (a read, always safe), up to `commitStatusRetries` times; never
 *    a second submission. If the outcome stays unknown the call fails with TIMEOUT or
 *    UNAVAILABLE carrying the tx id, and the ledger remembers that tx.
 *  - a later `submit` of the very same function and arguments that the contract refuses
 *    with STATEMENT_REPLAYED is checked against those remembered transactions: if one of
 *    them did commit VALID, the statement was applied by this caller's earlier attempt,
 *    and submit returns that transaction's result (tx id, block, index, payload) instead
 *    of the rejection. A STATEMENT_REPLAYED with no such earlier attempt (someone else
 *    applied the statement) is returned as the RejectedError it is.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Commit, Contract, Proposal, Status, Transaction } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import { TxValidationCode, validationCodeName } from '../../blocks/codes';
import { fromTimestamp } from '../../blocks/tx';
import { CommitError, RejectedError, type LedgerError } from '../../ports/ledger';
import type { SubmitResult } from '../../ports/ledger';
import type { FabricLedgerStats } from './config';
import { isTransient } from './errors';
import type { Qscc, TxLocator } from './locate';

interface Earlier {
  txId: string;
  result: Uint8Array;
  timestamp: Date;
}

const MAX_REMEMBERED = 1000;

function proposalTimestamp(p: Proposal): Date {
  const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(p.getBytes());
  const prop = peer.Proposal.deserializeBinary(proposed.getProposal()!.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(prop.getHeader_asU8());
  return fromTimestamp(common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getTimestamp());
}

/** What a Submitter works with: the ledger's contract, locator and counters, and how it maps failures. */
export interface SubmitterDeps {
  contract: Contract;
  locator: TxLocator;
  qscc: Qscc;
  retries: { mvcc: number; commitStatus: number };
  stats: FabricLedgerStats;
  /** Whether the ledger has been closed (no more retries then). */
  closed(): boolean;
  /** A failure of `op` as the port's error. */
  map(e: unknown, op: string, txId?: string): LedgerError;
}

/** Submits with the retry policy above; remembers the submits whose outcome stayed unknown. */
export class Submitter {
  /** Submits whose outcome stayed unknown, by function and arguments. */
  private readonly unresolved = new Map<string, Earlier[]>();

  constructor(private readonly d: SubmitterDeps) {}

  async submit(fn: string, args: string[]): Promise<SubmitResult> {
    const key = createHash('sha256')
      .update(JSON.stringify([fn, ...args]))
      .digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.submitOnce(fn, args, key);
      } catch (e) {
        if (e instanceof RejectedError && e.reason === 'STATEMENT_REPLAYED') {
          const earlier = await this.earlierCommit(key).catch(() => undefined);
          if (earlier) {
            this.d.stats.replayResolved++;
            return earlier;
          }
        }
        const conflict =
          e instanceof CommitError && (e.code === 'MVCC_READ_CONFLICT' || e.code === 'PHANTOM_READ_CONFLICT');
        if (conflict && attempt < this.d.retries.mvcc && !this.d.closed()) {
          this.d.stats.mvccRetries++;
          await sleep(5 + Math.random() * 20 * (attempt + 1));
          continue;
        }
        throw e;
      }
    }
  }

  private async submitOnce(fn: string, args: string[], key: string): Promise<SubmitResult> {
    const proposal = this.d.contract.newProposal(fn, { arguments: args });
    const txId = proposal.getTransactionId();
    const timestamp = proposalTimestamp(proposal);
    this.d.locator.expect(txId);
    try {
      let tx: Transaction;
      try {
        tx = await proposal.endorse();
      } catch (e) {
        throw this.d.map(e, `endorse ${fn}`, txId);
      }
      const result = tx.getResult();
      const earlier: Earlier = { txId, result, timestamp };
      let commit: Commit;
      try {
        commit = await tx.submit();
      } catch (e) {
        // The orderer may have it all the same.
        this.remember(key, earlier);
        throw this.d.map(e, `submit ${fn} to the orderer`, txId);
      }
      const status = await this.commitStatus(commit, fn, key, earlier);
      const block = Number(status.blockNumber);
      if (!status.successful) {
        const name = validationCodeName(status.code);
        const code = name === 'MVCC_READ_CONFLICT' || name === 'PHANTOM_READ_CONFLICT' ? name : 'INVALID';
        throw new CommitError(code, name, block, txId);
      }
      let txIndex: number;
      try {
        txIndex = (await this.d.locator.locate(txId, block)).index;
      } catch (e) {
        this.remember(key, earlier); // committed VALID: a retry of the caller resolves to it
        throw this.d.map(e, `find ${txId} in block ${block}`, txId);
      }
      return { txId, block, txIndex, code: 'VALID', result, timestamp };
    } finally {
      this.d.locator.forget(txId);
    }
  }

  private async commitStatus(commit: Commit, fn: string, key: string, earlier: Earlier): Promise<Status> {
    for (let i = 0; ; i++) {
      try {
        return await commit.getStatus();
      } catch (e) {
        if (isTransient(e) && i < this.d.retries.commitStatus && !this.d.closed()) {
          this.d.stats.commitStatusRetries++;
          await sleep(200 * (i + 1));
          continue;
        }
        this.remember(key, earlier);
        throw this.d.map(e, `wait for the commit of ${fn}`, earlier.txId);
      }
    }
  }

  private remember(key: string, e: Earlier): void {
    const list = this.unresolved.get(key) ?? [];
    list.push(e);
    this.unresolved.delete(key);
    this.unresolved.set(key, list.slice(-4));
    while (this.unresolved.size > MAX_REMEMBERED) this.unresolved.delete(this.unresolved.keys().next().value!);
  }

  /** One of this ledger's earlier, unresolved submits of the same call that did commit VALID. */
  private async earlierCommit(key: string): Promise<SubmitResult | undefined> {
    const list = this.unresolved.get(key);
    if (!list) return undefined;
    for (const e of list) {
      const code = await this.d.qscc.validationCode(e.txId);
      if (code !== TxValidationCode.VALID) continue;
      const loc = await this.d.qscc.locate(e.txId);
      if (!loc) continue;
      this.unresolved.delete(key);
      return {
        txId: e.txId,
        block: loc.block,
        txIndex: loc.index,
        code: 'VALID',
        result: e.result,
        timestamp: e.timestamp,
      };
    }
    return undefined;
  }
}
