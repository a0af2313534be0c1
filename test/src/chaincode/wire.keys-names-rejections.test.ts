/**
 * The ledger's wire format as @anxin/chaincode/wire states it is the one the contract
 * really uses: the keys its transactions write, the names it answers to, the functions it
 * has, and the refusals it sends, read back however a transport wraps them.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { AnxinContract } from '@anxin/chaincode';
import { STATEMENT_RULES } from '@anxin/chaincode/rules';
import {
  CONTRACT_NAME,
  DEFAULT_CHAINCODE_NAME,
  QUERY_FUNCTIONS,
  REGISTRAR_KEY,
  Rejection,
  STATEMENT_FUNCTIONS,
  anchorKey,
  displayKey,
  issuerKey,
  keyRange,
  parseRejection,
  recordKindOf,
  statementKey,
} from '@anxin/chaincode/wire';
import { blockTransactions, writesIn } from '@anxin/network/blocks';
import type { SubmitResult } from '@anxin/network';
import type { EmbeddedLedger } from '@anxin/network/embedded';
import { anchorCredential, openLedger, payloadOf, registerIssuer, type OpenedLedger } from '../helpers';

/** The keys transaction `txIndex` of block `block` wrote in the chaincode's namespace. */
async function keysWritten(ledger: EmbeddedLedger, block: number, txIndex: number): Promise<string[]> {
  const txs = blockTransactions(ledger.block(block));
  return writesIn(txs.decode(txIndex), ledger.chaincode).map((w) => w.key);
}

describe('wire format: the keys, names and refusals @anxin/chaincode/wire states are the contract’s own', () => {
  let L: OpenedLedger;
  let init: SubmitResult;
  before(async () => {
    L = await openLedger({ init: false });
    init = await L.ledger.submit('init', [L.registrar.initArgs]);
  });
  after(async () => {
    await L?.ledger.close();
  });

  it('the registrar, an issuer, an anchor and a statement mark are written at the keys the wire format names', async () => {
    expect(await keysWritten(L.ledger, init.block, init.txIndex)).to.deep.equal([REGISTRAR_KEY]);
    const issuer = await registerIssuer(L.ledger, L.registrar);
    const { res, jws, spec } = await anchorCredential(L.ledger, issuer);
    const jti = (payloadOf(jws) as { jti: string }).jti;
    expect((await keysWritten(L.ledger, res.block, res.txIndex)).sort()).to.deep.equal(
      [anchorKey(spec.id), statementKey(jti)].sort(),
    );
    expect(recordKindOf(anchorKey(spec.id))).to.equal('anchor');
    expect(recordKindOf(issuerKey(issuer.id))).to.equal('issuer');
    expect(recordKindOf(statementKey(jti))).to.equal('statement');
    expect(recordKindOf(REGISTRAR_KEY)).to.equal('registrar');
    expect(recordKindOf('something-else')).to.equal(undefined);
    expect(displayKey(anchorKey('urn:uuid:1'))).to.equal('/anchor/urn:uuid:1/');
  });

  it('keyRange(issuer) holds every issuer key and no other record', () => {
    const { start, end } = keyRange('issuer');
    const inRange = (k: string) =>
      Buffer.compare(Buffer.from(k), Buffer.from(start)) >= 0 && Buffer.compare(Buffer.from(k), Buffer.from(end)) < 0;
    for (const id of ['urn:anxin:issuer:a', 'urn:anxin:issuer:\u{10ffff}', ''])
      expect(inRange(issuerKey(id)), id).to.equal(true);
    for (const k of [anchorKey('x'), statementKey('x'), REGISTRAR_KEY])
      expect(inRange(k), displayKey(k)).to.equal(false);
  });

  it('the names: the contract is CONTRACT_NAME, a ledger made with no name deploys it as DEFAULT_CHAINCODE_NAME', () => {
    expect(new AnxinContract().getName()).to.equal(CONTRACT_NAME);
    expect(L.ledger.chaincode).to.equal(DEFAULT_CHAINCODE_NAME);
  });

  it('the functions: STATEMENT_FUNCTIONS are the rules the contract applies, QUERY_FUNCTIONS its read-only transactions', () => {
    expect([...STATEMENT_FUNCTIONS].sort()).to.deep.equal(Object.keys(STATEMENT_RULES).sort());
    const methods = Object.getOwnPropertyNames(AnxinContract.prototype).filter((m) => m !== 'constructor');
    expect([...methods].sort()).to.deep.equal([...STATEMENT_FUNCTIONS, ...QUERY_FUNCTIONS].sort());
  });

  it('parseRejection reads a Rejection as thrown, as a Fabric peer wraps it, and passes on a code it does not know', async () => {
    const thrown = new Rejection('KEY_RETIRED', 'key k was retired at T');
    expect(parseRejection(thrown.message)).to.deep.equal({
      code: 'KEY_RETIRED',
      detail: 'key k was retired at T',
      known: true,
    });
    expect(parseRejection(`chaincode response 500, ${thrown.message}`)).to.deep.equal({
      code: 'KEY_RETIRED',
      detail: 'key k was retired at T',
      known: true,
    });
    expect(parseRejection('{"code":"FROM_A_NEWER_CONTRACT","detail":"d"}')).to.deep.equal({
      code: 'FROM_A_NEWER_CONTRACT',
      detail: 'd',
      known: false,
    });
    for (const m of ['', 'chaincode response 500, oops', '{"code":', '{"code":42}'])
      expect(parseRejection(m), m).to.equal(undefined);
    // The embedded ledger reads its refusals with the same parser.
    const e = await L.ledger
      .evaluate('getAnchor', ['urn:uuid:00000000-0000-4000-8000-000000000000'])
      .catch((x: unknown) => x);
    expect(e).to.have.property('reason', 'ANCHOR_NOT_FOUND');
  });
});
