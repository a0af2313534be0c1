/**
 * The ledgers a suite runs on: the embedded one always, a real Fabric network when
 * FABRIC_BIN points at Fabric binaries.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { fabricSkipReason, withFabricNetwork } from '../fabric-network';

export type TestLedger = 'embedded' | 'fabric';

/**
 * Define a suite once per ledger: on the embedded ledger always, and on a real Fabric
 * network when FABRIC_BIN points at Fabric binaries (listed as skipped, by name, otherwise).
 */
export function describeOnLedgers(title: string, body: (this: Mocha.Suite, ledger: TestLedger) => void): void {
  describe(`${title} [embedded]`, function () {
    body.call(this, 'embedded');
  });
  const skip = fabricSkipReason();
  if (skip) {
    describe.skip(`${title} [fabric] (skipped: ${skip})`, function () {
      body.call(this, 'fabric');
    });
  } else {
    describe(`${title} [fabric]`, function () {
      this.timeout(180_000);
      body.call(this, 'fabric');
    });
  }
}

/** Environment that points a gateway at the shared test Fabric network, with the channel's registrar key. */
export async function fabricEnv(dir: string): Promise<Record<string, string>> {
  const net = await withFabricNetwork();
  const c = net.config;
  const keyFile = join(dir, 'registrar.jwk');
  writeFileSync(keyFile, JSON.stringify(await exportJWK(net.registrar.privateKey)), { mode: 0o600 });
  return {
    ANXIN_LEDGER: 'fabric',
    ANXIN_FABRIC_PEER_ENDPOINT: c.peerEndpoint,
    ANXIN_FABRIC_TLS_ROOT_CERT: c.tlsRootCert,
    ...(c.serverNameOverride ? { ANXIN_FABRIC_PEER_HOST_ALIAS: c.serverNameOverride } : {}),
    ANXIN_FABRIC_MSP_ID: c.mspId,
    ANXIN_FABRIC_CERT: c.certPath,
    ANXIN_FABRIC_KEY: c.keyPath,
    ANXIN_FABRIC_CHANNEL: c.channel,
    ANXIN_FABRIC_CHAINCODE: c.chaincode,
    ANXIN_REGISTRAR_KEY_FILE: keyFile,
  };
}
