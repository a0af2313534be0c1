/**
 * fabric-shim and fabric-contract-api are written to own a chaincode process: when
 * first loaded, each installs process-wide handlers that log uncaught exceptions and
 * unhandled rejections *instead of* letting the process fail, and they log every
 * refused transaction as an error. The embedded ledger runs the contract inside the
 * gateway's process, so it loads them here once: quiet unless asked
 * (CORE_CHAINCODE_LOGGING_LEVEL), and with their process handlers taken back out.
 */
let loaded = false;

export function loadFabricQuietly(): void {
  if (loaded) return;
  loaded = true;
  const before = {
    uncaughtException: new Set(process.listeners('uncaughtException')),
    unhandledRejection: new Set(process.listeners('unhandledRejection')),
  };
  process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'CRITICAL';
  require('fabric-contract-api/lib/logger.js');
  require('fabric-shim/lib/logger.js');
  for (const l of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.has(l)) process.off('uncaughtException', l);
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.has(l)) process.off('unhandledRejection', l);
  }
}
