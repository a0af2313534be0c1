/**
 * Runs contract classes exactly as a Fabric peer's chaincode container would: through
 * fabric-shim's own ChaincodeFromContract dispatch, with the JSON serializer, against
 * whatever stub it is given.
 */
import type { ChaincodeResponse, ChaincodeStub } from 'fabric-shim-api';
import { loadFabricQuietly } from './fabric-quiet';

loadFabricQuietly();

const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as new (
  contracts: unknown[],
  serializers: object,
  metadata: object,
  title: string,
  version: string,
) => { Invoke(stub: ChaincodeStub): Promise<ChaincodeResponse> };

const JSONSerializer = require('fabric-contract-api/lib/jsontransactionserializer.js') as unknown;

const shimLogger = require('fabric-shim/lib/logger.js') as { setLevel(level: string): void };

export class ContractRunner {
  private readonly cc;

  constructor(contracts: unknown[], opts: { title: string; version: string; logLevel?: string }) {
    this.cc = new ChaincodeFromContract(
      [...contracts],
      { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } },
      {},
      opts.title,
      opts.version,
    );
    if (opts.logLevel) shimLogger.setLevel(opts.logLevel);
  }

  invoke(stub: ChaincodeStub): Promise<ChaincodeResponse> {
    return this.cc.Invoke(stub);
  }
}
