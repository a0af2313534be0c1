/**
 * Starting and stopping a gateway: configuration in, a listening server out. Used by
 * `npm start` (main.ts) and by the end-to-end tests (on port 0).
 */
import { createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Ledger } from '@anxin/network';
import { compileAll } from '@anxin/schemas';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { Logger } from 'pino';
import { openStore } from './adapters/store';
import { buildGatewayHandler } from './app';
import type { Config } from './config';
import { generateApiKey } from './crypto/apikeys';
import { loadOrCreateKek } from './crypto/kek';
import { createLogger, Metrics } from './http/observability';
import type { Store } from './ports/store';
import type { Services } from './services/context';
import { KeyStore } from './services/keystore';
import { LedgerClient } from './services/ledger-client';
import { Projection, type ChangeAt, type HookFailure } from './services/projection';
import { Notifier } from './services/notify';
import { Retention } from './services/retention';
import { TrustList } from './services/trust-list';
import { VerificationLog } from './services/verify/log';
import { VerifierPool } from './services/verify/pool';
import { verifyDeps } from './routes/verify';

export const VERSION = '0.1.0';
/** How long shutdown waits for in-flight requests before closing their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningGateway {
  url: string;
  services: Services;
  logger: Logger;
  /** Where the admin API key was written on first start. */
  adminKeyFile: string;
  /** The admin API key, when this start created it. */
  adminKey?: string;
  ledgerInitialised: boolean;
  close(): Promise<void>;
}

async function openLedger(cfg: Config): Promise<Ledger> {
  if (cfg.ledger.kind === 'embedded') {
    return EmbeddedLedger.open(
      cfg.ledger.dir,
      cfg.ledger.batchTimeoutMs ? { batch: { timeoutMs: cfg.ledger.batchTimeoutMs } } : {},
    );
  }
  const { openFabricLedger } = await import('@anxin/network/fabric');
  return openFabricLedger(cfg.ledger);
}

/** First start: registrar key, ledger initialisation, gateway key, admin API key. Later starts: nothing new. */
async function bootstrap(s: Services, cfg: Config): Promise<{ adminKey?: string; ledgerInitialised: boolean }> {
  let ledgerInitialised = false;
  if (cfg.registrarKeyFile) {
    const text = readFileSync(cfg.registrarKeyFile, 'utf8').trim();
    const key = text.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as never, format: 'jwk' })
      : createPrivateKey(text);
    await s.keys.importKey('registrar', key);
  }
  const registrar = await s.ledgerClient.getRegistrar();
  if (!registrar) {
    const held = await s.keys.list('registrar');
    const keys = held.length ? held : [await s.keys.create('registrar')];
    await s.ledgerClient.submit(
      'init',
      JSON.stringify({ registrarKeys: keys.map((k) => ({ keyId: k.keyId, alg: k.alg, publicJwk: k.publicJwk })) }),
    );
    ledgerInitialised = true;
  }
  if (!(await s.keys.list('gateway')).length) await s.keys.create('gateway');
  const admins = await s.store.listApiKeys({ type: 'admin', id: 'admin' });
  if (admins.some((k) => !k.revokedAt)) return { ledgerInitialised };
  const k = generateApiKey();
  await s.store.putApiKey({
    id: k.id,
    hash: k.hash,
    principal: { type: 'admin', id: 'admin' },
    scopes: ['admin'],
    label: 'created at first start',
    createdAt: new Date().toISOString(),
  });
  const file = join(cfg.dataDir, 'admin.key');
  writeFileSync(file, k.key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { adminKey: k.key, ledgerInitialised };
}

export async function startGateway(cfg: Config, opts: { logger?: Logger } = {}): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(cfg.logLevel);
  compileAll();
  if (!existsSync(cfg.dataDir)) mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const { kek } = loadOrCreateKek(cfg.kekFile);
  const store: Store = await openStore(cfg.store);
  let ledger: Ledger | undefined;
  let verifierPool: VerifierPool | undefined;
  let notifier: Notifier | undefined;
  let retention: Retention | undefined;
  try {
    ledger = await openLedger(cfg);
    const ledgerClient = new LedgerClient(ledger);
    const metrics = new Metrics();
    const projection = new Projection(store, ledger);
    projection.on('error', (e) => logger.error({ err: e }, 'projection stopped'));
    // A failing hook holds the projection at the change (the follower retries it): visible in logs and metrics.
    projection.on('hook-failed', (f: HookFailure) => {
      metrics.projectionHookFailures.inc();
      if (f.attempt > 0) metrics.projectionStalled.set(1);
      logger.error(
        { err: f.error, block: f.at.block, tx: f.at.txIndex, attempt: f.attempt },
        f.attempt > 0
          ? 'projection held: a hook failed on this change; retrying'
          : 'a hook failed on a change this gateway submitted; the projection applies it again',
      );
    });
    projection.on('hook-recovered', (at: ChangeAt) => {
      metrics.projectionStalled.set(0);
      logger.info({ block: at.block, tx: at.txIndex }, 'projection moving again: the change went through');
    });
    const verificationLog = new VerificationLog(store, 250, (e) =>
      logger.warn({ err: e }, 'verification log write failed'),
    );
    const services: Services = {
      store,
      verificationLog,
      ledger,
      ledgerClient,
      projection,
      keys: new KeyStore(store, kek),
      kek,
      publicUrl: cfg.publicUrl,
      now: () => new Date(),
      idempotencyLeaseMs: cfg.idempotencyLeaseMs,
      ...(cfg.killAt
        ? {
            fault: (point) => {
              if (point === cfg.killAt) process.kill(process.pid, 'SIGKILL');
            },
          }
        : {}),
    };
    const boot = await bootstrap(services, cfg);
    const trustList = new TrustList(services);
    // Attached before the projection catches up: changes made while this gateway was down are told too.
    notifier = new Notifier(services, trustList, cfg.notify, (e, msg) => logger.warn({ err: e }, msg));
    notifier.attach();
    await projection.start();
    projection.on('block', (n: number) => metrics.ledgerHeight.set(n + 1));
    verifierPool = new VerifierPool(cfg.verifyThreads, verifyDeps(services), projection, (e) =>
      logger.error({ err: e }, 'a verification thread stopped; replaced'),
    );
    notifier.start();
    retention = new Retention(
      store,
      () => services.now(),
      (r) => {
        const n = Object.values(r.deleted).reduce((a, b) => a + b, 0);
        if (n) logger.info({ deleted: r.deleted }, 'retention: old records deleted');
      },
      (e) => logger.warn({ err: e }, 'retention pass failed'),
    );
    retention.start();
    const { listener } = buildGatewayHandler(
      services,
      { logger, metrics, trustList, verificationLog, verifierPool },
      {
        bodyLimit: cfg.bodyLimit,
        rateLimitPerMinute: cfg.rateLimitPerMinute,
        rateLimitPerAddressPerMinute: cfg.rateLimitPerAddressPerMinute,
        version: VERSION,
      },
    );
    const server: Server = await new Promise((resolve, reject) => {
      const srv = createServer(listener);
      srv.once('error', reject);
      srv.listen(cfg.port, cfg.host, () => resolve(srv));
    });
    server.keepAliveTimeout = 5_000;
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = cfg.port === 0 || !cfg.publicUrl ? `http://${host}:${addr.port}` : `http://${host}:${addr.port}`;
    if (cfg.port === 0) services.publicUrl = cfg.publicUrl.replace(/:0$/, `:${addr.port}`);
    let closing: Promise<void> | undefined;
    return {
      url,
      services,
      logger,
      adminKeyFile: join(cfg.dataDir, 'admin.key'),
      ...(boot.adminKey ? { adminKey: boot.adminKey } : {}),
      ledgerInitialised: boot.ledgerInitialised,
      close: () =>
        (closing ??= (async () => {
          // Stop accepting, let in-flight requests finish, then close the ledger and the store.
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Keep-alive connections go idle as their last request finishes: close them then.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
            server.once('close', () => {
              clearInterval(sweep);
              clearTimeout(force);
            });
            server.closeIdleConnections();
          });
          await verifierPool!.close();
          await notifier!.stop();
          await retention!.stop();
          await verificationLog.flush();
          await projection.stop();
          await ledger!.close();
          await store.close();
        })()),
    };
  } catch (e) {
    await verifierPool?.close().catch(() => undefined);
    await notifier?.stop().catch(() => undefined);
    await retention?.stop().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
