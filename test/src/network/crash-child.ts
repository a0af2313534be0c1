/**
 * Child process for embedded.crash.test: opens an embedded ledger (the Anxin contract,
 * endorsement workers as configured by default), initialises it and registers one
 * issuer if needed, then anchors credentials continuously from several concurrent
 * loops. Each acknowledged (committed VALID) transaction is printed as one line:
 *
 *   ack <txId> <what>        what: init | issuer | <credential id>
 *
 * and only after `submit` resolved, so every printed line is a promise the ledger made.
 * Mode `hold` only opens the ledger, prints `open`, and waits (for lock tests).
 *
 * Usage: node crash-child.js <dir>   with CRASH_CHILD_CONFIG = JSON of ChildConfig.
 */
import { writeSync } from 'node:fs';
import { RejectedError } from '@anxin/network';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { SigningAlg } from '@anxin/schemas';
import { importFixtureKey, registrarOf } from '../helpers/keys';
import { anchorSpec, sign, statements, type IssuerSpec } from '../helpers/statements';

export interface ChildKey {
  alg: SigningAlg;
  keyId: string;
  publicJwk: object;
  d: string;
}

export interface ChildConfig {
  mode: 'anchor' | 'hold';
  registrar: ChildKey;
  issuer: { spec: IssuerSpec; key: ChildKey };
  /** Concurrent anchoring loops. */
  concurrency: number;
}

/** Synchronous write: once it returns, the line is in the pipe even if we are killed next. */
function say(line: string): void {
  writeSync(1, `${line}\n`);
}

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const config = JSON.parse(process.env['CRASH_CHILD_CONFIG']!) as ChildConfig;
  say('start');
  const ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
  say(`open ${ledger.height}`);
  if (config.mode === 'hold') {
    setInterval(() => undefined, 60_000);
    return;
  }
  const registrar = registrarOf(await importFixtureKey(config.registrar.alg, config.registrar, 'registrar'));
  const issuerKey = await importFixtureKey(config.issuer.key.alg, config.issuer.key, config.issuer.spec.id);

  try {
    await ledger.evaluate('getRegistrar', []);
  } catch (e) {
    if (!(e instanceof RejectedError) || e.reason !== 'NOT_INITIALISED') throw e;
    say(`ack ${(await ledger.submit('init', [registrar.initArgs])).txId} init`);
  }
  try {
    await ledger.evaluate('getIssuer', [config.issuer.spec.id]);
  } catch (e) {
    if (!(e instanceof RejectedError) || e.reason !== 'ISSUER_UNKNOWN') throw e;
    const body = statements.registerIssuer(config.issuer.spec, issuerKey.newKey);
    say(`ack ${(await ledger.submit('registerIssuer', [await sign(body, registrar)])).txId} issuer`);
  }

  const loop = async () => {
    for (;;) {
      const spec = anchorSpec(issuerKey, { type: config.issuer.spec.allowedTypes[0]! });
      const jws = await sign(statements.anchor(config.issuer.spec.id, spec), issuerKey);
      try {
        const r = await ledger.submit('anchor', [jws]);
        say(`ack ${r.txId} ${spec.id}`);
      } catch (e) {
        process.stderr.write(`submit failed: ${(e as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
}

main().catch((e: unknown) => {
  process.stderr.write(`crash-child: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
