/**
 * The connection to a Fabric peer's gateway service: the client identity and TLS root
 * read from files (or given as PEM), one gRPC client over TLS, reached within the connect
 * timeout, and fabric-gateway's Gateway on it with a deadline on every kind of call.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { LedgerError } from '../../ports/ledger';
import type { FabricLedgerConfig, FabricLedgerOptions, ResolvedFabricOptions } from './config';

function pem(pathOrPem: string): Buffer {
  return pathOrPem.trimStart().startsWith('-----BEGIN') ? Buffer.from(pathOrPem) : readFileSync(pathOrPem);
}

/**
 * Connect to the peer `cfg` names. Fails with UNAVAILABLE when the identity or the TLS
 * root cannot be read or (with waitForReady) the peer does not answer in time.
 */
export async function connectGateway(
  cfg: FabricLedgerConfig,
  opts: ResolvedFabricOptions,
  grpcOptions: FabricLedgerOptions['grpcOptions'],
): Promise<{ client: grpc.Client; gateway: Gateway }> {
  const { timeouts } = opts;
  let identity: { mspId: string; credentials: Uint8Array };
  let signer: ReturnType<typeof signers.newPrivateKeySigner>;
  let tlsRoot: Buffer;
  try {
    tlsRoot = pem(cfg.tlsRootCert);
    identity = { mspId: cfg.mspId, credentials: pem(cfg.certPath) };
    signer = signers.newPrivateKeySigner(createPrivateKey(pem(cfg.keyPath)));
  } catch (e) {
    throw new LedgerError('UNAVAILABLE', `Fabric client identity or TLS root not readable: ${(e as Error).message}`);
  }
  const client = new grpc.Client(cfg.peerEndpoint, grpc.credentials.createSsl(tlsRoot), {
    ...(cfg.serverNameOverride ? { 'grpc.ssl_target_name_override': cfg.serverNameOverride } : {}),
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    ...grpcOptions,
  });
  if (opts.waitForReady) {
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + timeouts.connectMs, (err) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      client.close();
      throw new LedgerError(
        'UNAVAILABLE',
        `cannot reach the Fabric peer at ${cfg.peerEndpoint}: ${(e as Error).message}`,
      );
    }
  }
  const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
  const gateway = connect({
    client,
    identity,
    signer,
    hash: hash.sha256,
    evaluateOptions: deadline(timeouts.evaluateMs),
    endorseOptions: deadline(timeouts.endorseMs),
    submitOptions: deadline(timeouts.submitMs),
    commitStatusOptions: deadline(timeouts.commitStatusMs),
  });
  return { client, gateway };
}
