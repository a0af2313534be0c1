#!/usr/bin/env node
/**
 * `npm start`: the gateway on the embedded ledger and store, configured from the
 * environment (see README: Configuration).
 */
import { relative } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { KekError } from './crypto/kek';
import { startGateway } from './gateway';
import { StartupError } from './services/data-identity';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`anxin: configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const gw = await startGateway(config);
  const rel = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : `./${relative(process.cwd(), p)}`);
  const info = await gw.services.ledger.info();
  const lines = [
    `Anxin gateway listening on ${gw.url}`,
    `  ledger: ${config.ledger.kind}${config.ledger.kind === 'embedded' ? ` (${rel(config.ledger.dir)})` : ` (${config.ledger.peerEndpoint})`}, height ${info.height}` +
      `${gw.ledgerInitialised ? ', initialised now' : ''}`,
    `  store:  ${config.store.kind}${config.store.kind === 'sqlite' ? ` (${rel(config.store.path)})` : ''}`,
    ...gw.lacks.map((l) => `  lacks:  ${l.code}: ${l.detail}`),
    gw.adminKey
      ? `  admin API key: written to ${rel(gw.adminKeyFile)} (created now; mode 0600)`
      : `  admin API key: in ${rel(gw.adminKeyFile)} (created at first start)`,
    `  try:   curl -s ${gw.url}/v1/ledger/info`,
    `         ADMIN=$(cat ${rel(gw.adminKeyFile)}); curl -s -H "Authorization: Bearer $ADMIN" ${gw.url}/v1/api-keys`,
    `  verifier page: ${gw.url}/verify (scan a work card; needs a verify API key)`,
    `  docs:  ${gw.url}/openapi.json · README.md has the first issue/verify round trip`,
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`anxin: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`anxin: ${signal}: finishing in-flight requests, closing the ledger and the store…\n`);
    gw.close().then(
      () => {
        process.stdout.write('anxin: stopped cleanly\n');
        process.exit(0);
      },
      (e: Error) => {
        process.stderr.write(`anxin: error while stopping: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  // Data that does not belong together (or a KEK that cannot be used): its code, for scripts, and status 3.
  if (e instanceof StartupError || e instanceof KekError) {
    process.stderr.write(`anxin: cannot start (${e.code}): ${e.message}\n`);
    process.exit(3);
  }
  process.stderr.write(`anxin: cannot start: ${e.message}\n`);
  process.exit(1);
});
