/**
 * A small world for rule tests: an in-memory ledger state, a clock, a registrar fixed
 * at init, and shortcuts to register issuers and anchor credentials — every step goes
 * through the same rule functions the contract runs.
 */
import type { Effect } from '@anxin/chaincode/rules';
import type { AnchorRecord, CredentialType, IssuerRecord, SigningAlg, StatementKind } from '@anxin/schemas';
import { newIssuerKey, newRegistrar, type OwnedKey, type Registrar } from './keys';
import { MemoryState, TxClock, applyStatement } from './state';
import { anchorSpec, issuerSpec, sign, statements, type AnchorSpec, type Body, type IssuerSpec } from './statements';

/** An issuer registered in a world: its description and its first key. */
export interface TestIssuer {
  id: string;
  spec: IssuerSpec;
  key: OwnedKey;
}

export class RulesWorld {
  readonly state = new MemoryState();
  readonly clock: TxClock;

  private constructor(
    readonly registrar: Registrar,
    start: string | number,
  ) {
    this.clock = new TxClock(start);
  }

  /** A world whose registrar is initialised at `start` (default: now). */
  static async create(
    opts: { start?: string | number; init?: boolean; alg?: SigningAlg; registrar?: Registrar } = {},
  ): Promise<RulesWorld> {
    const w = new RulesWorld(opts.registrar ?? (await newRegistrar(opts.alg)), opts.start ?? Date.now());
    if (opts.init !== false) await w.apply('init', w.registrar.initArgs);
    return w;
  }

  /** Apply a statement (or init) at the clock's current time. */
  apply<R = unknown>(kind: StatementKind | 'init', arg: string): Promise<Effect<R>> {
    return applyStatement(this.state, kind, arg, this.clock.tx()) as Promise<Effect<R>>;
  }

  /** Sign `body` with `key`, `iat` = the clock's time unless the body sets it. */
  sign<K extends StatementKind>(body: Body<K>, key: OwnedKey): Promise<string> {
    return sign({ iat: this.clock.iat, ...body }, key);
  }

  /** Sign with the registrar and apply. */
  async asRegistrar<K extends StatementKind>(body: Body<K>): Promise<Effect<IssuerRecord>> {
    return this.apply<IssuerRecord>(body.kind, await this.sign(body, this.registrar));
  }

  /** Register a new issuer with a fresh key (valid from now unless `notBefore`). */
  async registerIssuer(
    opts: Partial<IssuerSpec> & { alg?: SigningAlg; notBefore?: string; slug?: string } = {},
  ): Promise<TestIssuer> {
    const spec = issuerSpec(opts);
    const key = await newIssuerKey(spec.id, opts.alg);
    await this.asRegistrar(
      statements.registerIssuer(spec, { ...key.newKey, ...(opts.notBefore ? { notBefore: opts.notBefore } : {}) }),
    );
    return { id: spec.id, spec, key };
  }

  /** Add a fresh key to an issuer (valid from now unless `notBefore`). */
  async addKey(issuer: TestIssuer, opts: { alg?: SigningAlg; notBefore?: string } = {}): Promise<OwnedKey> {
    const key = await newIssuerKey(issuer.id, opts.alg);
    await this.asRegistrar(
      statements.addKey(issuer.id, { ...key.newKey, ...(opts.notBefore ? { notBefore: opts.notBefore } : {}) }),
    );
    return key;
  }

  /** The statement that would anchor a fresh credential of `issuer` (signed, not applied). */
  anchorJws(
    issuer: TestIssuer,
    opts: { key?: OwnedKey; type?: CredentialType; anchor?: Partial<AnchorSpec> } = {},
  ): Promise<{ jws: string; spec: AnchorSpec }> {
    const key = opts.key ?? issuer.key;
    const spec = anchorSpec(key, { type: opts.type ?? issuer.spec.allowedTypes[0]!, ...opts.anchor });
    return this.sign(statements.anchor(issuer.id, spec), key).then((jws) => ({ jws, spec }));
  }

  /** Anchor a fresh credential of `issuer` and return the record. */
  async anchor(issuer: TestIssuer, opts: Parameters<RulesWorld['anchorJws']>[1] = {}): Promise<AnchorRecord> {
    const { jws } = await this.anchorJws(issuer, opts);
    return (await this.apply<AnchorRecord>('anchor', jws)).result;
  }

  /** Change a credential's status, signed by `key` (the issuer's first key by default). */
  async status(
    kind: 'revoke' | 'suspend' | 'reinstate',
    issuer: TestIssuer,
    credentialId: string,
    key: OwnedKey = issuer.key,
  ): Promise<AnchorRecord> {
    const body = statements[kind](issuer.id, credentialId);
    return (await this.apply<AnchorRecord>(kind, await this.sign(body as Body<typeof kind>, key))).result;
  }
}
