/**
 * Hosting fabric-shim's contract dispatch inside another process (the gateway's).
 *
 * fabric-shim and fabric-contract-api are written to own a chaincode process. When
 * first loaded each installs process-wide handlers that log uncaught exceptions and
 * unhandled rejections *instead of* letting the process fail, and each logs through
 * winston, including every refused transaction at error level. Here they are loaded
 * once with those handlers taken back out and their loggers silent unless
 * CORE_CHAINCODE_LOGGING_LEVEL asks for output.
 *
 * ClientIdentity parses the creator's certificate on every invocation; the parse is a
 * pure function of the certificate bytes, so it is memoised per certificate.
 */
let loaded = false;

type LoggerModule = { getLogger(name?: string): unknown; setLevel(level: string): void };

const silent = new Proxy(
  {},
  {
    get: (_t, prop) => (prop === 'level' ? 'silent' : () => undefined),
    set: () => true,
  },
);

export function loadFabricQuietly(): void {
  if (loaded) return;
  loaded = true;
  const before = {
    uncaughtException: new Set(process.listeners('uncaughtException')),
    unhandledRejection: new Set(process.listeners('unhandledRejection')),
  };
  const wantLogs = !!process.env.CORE_CHAINCODE_LOGGING_LEVEL;
  for (const path of ['fabric-contract-api/lib/logger.js', 'fabric-shim/lib/logger.js']) {
    const m = require(path) as LoggerModule;
    if (!wantLogs) m.getLogger = () => silent;
  }
  for (const l of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.has(l)) process.off('uncaughtException', l);
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.has(l)) process.off('unhandledRejection', l);
  }
  memoiseClientIdentity();
}

type Creatorish = { getCreator(): { mspid: string; idBytes: Uint8Array } };

function memoiseClientIdentity(): void {
  const shim = require('fabric-shim/lib/chaincode.js') as { ClientIdentity: new (stub: Creatorish) => object };
  const Original = shim.ClientIdentity;
  const cache = new Map<string, object>();
  class MemoisedClientIdentity extends Original {
    constructor(stub: Creatorish) {
      const creator = stub.getCreator();
      const key = `${creator.mspid}\u0000${Buffer.from(creator.idBytes).toString('base64')}`;
      const hit = cache.get(key);
      if (hit) {
        return Object.assign(Object.create(Original.prototype) as object, hit, { stub });
      }
      super(stub);
      const { stub: _stub, ...parsed } = this as unknown as Record<string, unknown>;
      if (cache.size > 1000) cache.clear();
      cache.set(key, parsed);
    }
  }
  shim.ClientIdentity = MemoisedClientIdentity;
}
