/**
 * Starting and stopping a gateway: configuration in, a listening server out. Used by
 * `npm start` (main.ts) and by the end-to-end tests (on port 0).
 */
import { indexHolderKeys } from './services/holder/index-keys';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { LedgerError, type Ledger } from '@anxin/network';
import { compileAll } from '@anxin/schemas';
import { EmbeddedLedger, isCreated } from '@anxin/network/embedded';
import type { Logger } from 'pino';
import { openStore } from './adapters/store';
import { countingFailures } from './adapters/store/counted';
import { buildGatewayHandler } from './app';
import type { Config } from './config';
import { generateApiKey } from './crypto/apikeys';
import { loadKekRing } from './crypto/kek';
import { serveMetrics } from './http/metrics-endpoint';
import { createLogger, Metrics } from './http/observability';
import type { Store } from './ports/store';
import type { Services } from './services/context';
import {
  StartupError,
  checkInitialised,
  checkKek,
  checkLedger,
  ledgerIdentity,
  storeHoldings,
} from './services/data-identity';
import { KeyStore } from './services/keystore';
import { LedgerClient } from './services/ledger-client';
import { Projection, type ChangeAt, type HookFailure } from './services/projection';
import { Notifier } from './services/notify';
import { ProjectionLag } from './services/operations/projection-lag';
import { whatThisGatewayLacks, type Lack } from './services/registrar';
import { Retention } from './services/retention';
import { TrustList } from './services/trust-list';
import { StatusEntryAllocator, StatusListPublisher } from './services/status-lists';
import { VerificationLog } from './services/verify/log';
import { VerifierPool } from './services/verify/pool';
import { verifyDeps } from './routes/verify';

export const VERSION = '0.1.0';
/** How long shutdown waits for in-flight requests before closing their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningGateway {
  url: string;
  /** Where /metrics is served when it has a listener of its own (ANXIN_METRICS_HOST/PORT). */
  metricsUrl?: string;
  services: Services;
  logger: Logger;
  /** Where the admin API key was written on first start. */
  adminKeyFile: string;
  /** The admin API key, when this start created it. */
  adminKey?: string;
  ledgerInitialised: boolean;
  /** What this gateway lacks for part of its work (e.g. a registrar key, on a ledger another gateway initialised). */
  lacks: Lack[];
  /** The verification threads. */
  verifierPool: VerifierPool;
  close(): Promise<void>;
}

/** Opens the configured ledger; a ledger that cannot be opened stops the start (`ledger_unreadable`). */
async function openLedger(cfg: Config): Promise<Ledger> {
  try {
    if (cfg.ledger.kind === 'embedded') {
      return await EmbeddedLedger.open(
        cfg.ledger.dir,
        cfg.ledger.batchTimeoutMs ? { batch: { timeoutMs: cfg.ledger.batchTimeoutMs } } : {},
      );
    }
    const { openFabricLedger } = await import('@anxin/network/fabric');
    return await openFabricLedger(cfg.ledger);
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    throw new StartupError('ledger_unreadable', `the ledger cannot be opened: ${e.message}`, { cause: e });
  }
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
  const kekPresent = existsSync(cfg.kekFile);
  const metrics = new Metrics();
  const store: Store = countingFailures(await openStore(cfg.store), (operation) =>
    metrics.storeErrors.inc({ operation }),
  );
  let ledger: Ledger | undefined;
  let verifierPool: VerifierPool | undefined;
  let notifier: Notifier | undefined;
  let retention: Retention | undefined;
  let metricsServer: Server | undefined;
  try {
    const held = await storeHoldings(store);
    const storeWhere = cfg.store.kind === 'sqlite' ? cfg.store.path : 'MongoDB';
    if (!kekPresent && held.used)
      throw new StartupError(
        'kek_missing',
        `the store (${storeWhere}) holds keys sealed under key-encryption key ${held.identity?.kek ?? held.sealedUnder ?? '?'}, but ${cfg.kekFile} is missing: put back the key kept with the backups (a new key would open none of them)`,
      );
    const ledgerWhere =
      cfg.ledger.kind === 'embedded' ? `the ledger in ${cfg.ledger.dir}` : `the ledger at ${cfg.ledger.peerEndpoint}`;
    if (cfg.ledger.kind === 'embedded' && held.used && !isCreated(cfg.ledger.dir))
      throw new StartupError(
        'ledger_missing',
        `the store (${storeWhere}) belongs to a ledger, but there is none in ${cfg.ledger.dir}: restore the ledger it was run with`,
      );
    ledger = await openLedger(cfg);
    const ledgerId = await ledgerIdentity(ledger);
    checkLedger(held, ledgerId, ledgerWhere);
    const { kek } = loadKekRing(cfg.kekFile, cfg.kekPreviousFiles);
    checkKek(held, kek, cfg.kekFile);
    const holderKeysIndexed = await indexHolderKeys(store, kek);
    if (holderKeysIndexed)
      logger.info({ credentials: holderKeysIndexed }, 'indexed the holder keys of earlier credentials');
    const ledgerClient = new LedgerClient(ledger, (fn, seconds, outcome) =>
      metrics.ledgerCommitSeconds.observe({ function: fn, outcome }, seconds),
    );
    checkInitialised(
      held,
      (await ledgerClient.getRegistrar())?.keys.map((k) => k.keyId),
      {
        // A further gateway (its own, fresh data directory) joins a ledger another one
        // initialised; a data directory that has an admin.key but lost its store does not.
        joining: !!cfg.registrarKeyFile || !existsSync(join(cfg.dataDir, 'admin.key')),
        storeWhere,
        ledgerWhere,
      },
    );
    const projection = new Projection(store, ledger);
    projection.on('error', (e) => {
      metrics.projectionStopped.set(1);
      logger.error({ err: e }, 'projection stopped; it starts over from its checkpoint after a pause');
    });
    projection.on('restarted', () => {
      metrics.projectionStopped.set(0);
      logger.info('projection following the ledger again');
    });
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
      statusEntries: new StatusEntryAllocator(store),
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
    if (!held.identity) {
      const recorded = await store.claimIdentity({
        ledger: ledgerId,
        kek: kek.fingerprint,
        createdAt: new Date().toISOString(),
      });
      // Another gateway on the same store recorded first: it must have agreed.
      checkLedger({ ...held, identity: recorded }, ledgerId, ledgerWhere);
      checkKek({ ...held, identity: recorded }, kek, cfg.kekFile);
    }
    const lacks = await whatThisGatewayLacks(services);
    for (const l of lacks) logger.warn({ code: l.code }, l.detail);
    const trustList = new TrustList(services);
    const statusLists = new StatusListPublisher(services);
    // Attached before the projection catches up: changes made while this gateway was down are told too.
    notifier = new Notifier(
      services,
      trustList,
      cfg.notify,
      (e, msg) => logger.warn({ err: e }, msg),
      (givenUp) => metrics.webhookDeliveryFailures.inc({ outcome: givenUp ? 'given_up' : 'retrying' }),
    );
    notifier.attach();
    await projection.start();
    projection.on('block', (n: number) => metrics.ledgerHeight.set(n + 1));
    verifierPool = new VerifierPool(cfg.verifyThreads, verifyDeps(services), projection, (e) => {
      metrics.verifyThreadRestarts.inc();
      logger.error({ err: e }, 'a verification thread stopped; replaced');
    });
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
    const lag = new ProjectionLag(ledger, projection, () => services.now());
    metrics.watch({ lag: () => lag.measure(), outbox: () => store.countNotifications() });
    const { listener } = buildGatewayHandler(
      services,
      { logger, metrics, trustList, statusLists, verificationLog, verifierPool, lag },
      {
        bodyLimit: cfg.bodyLimit,
        rateLimitPerMinute: cfg.rateLimitPerMinute,
        rateLimitPerAddressPerMinute: cfg.rateLimitPerAddressPerMinute,
        tokenRateLimitPerAddressPerMinute: cfg.tokenRateLimitPerAddressPerMinute,
        version: VERSION,
        readiness: cfg.readiness,
        metrics: {
          ...(cfg.metrics.token ? { token: cfg.metrics.token } : {}),
          ...(cfg.metrics.listen ? { elsewhere: true } : {}),
        },
      },
    );
    const listen = (port: number, host: string, handler: Parameters<typeof createServer>[1]): Promise<Server> =>
      new Promise((resolve, reject) => {
        const srv = createServer(handler);
        srv.once('error', reject);
        srv.listen(port, host, () => resolve(srv));
      });
    if (cfg.metrics.listen) {
      const token = cfg.metrics.token;
      metricsServer = await listen(cfg.metrics.listen.port, cfg.metrics.listen.host, (req, res) =>
        serveMetrics(req, res, metrics, token),
      );
    }
    const server = await listen(cfg.port, cfg.host, listener);
    server.keepAliveTimeout = 5_000;
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const urlOf = (srv: Server) => {
      const addr = srv.address() as AddressInfo;
      return `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    };
    const url = urlOf(server);
    const addr = server.address() as AddressInfo;
    if (cfg.port === 0) services.publicUrl = cfg.publicUrl.replace(/:0$/, `:${addr.port}`);
    let closing: Promise<void> | undefined;
    return {
      url,
      ...(metricsServer ? { metricsUrl: urlOf(metricsServer) } : {}),
      services,
      logger,
      adminKeyFile: join(cfg.dataDir, 'admin.key'),
      ...(boot.adminKey ? { adminKey: boot.adminKey } : {}),
      ledgerInitialised: boot.ledgerInitialised,
      lacks,
      verifierPool,
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
          if (metricsServer) {
            const m = metricsServer;
            await new Promise<void>((resolve) => {
              m.close(() => resolve());
              m.closeAllConnections();
            });
          }
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
    metricsServer?.close();
    await verifierPool?.close().catch(() => undefined);
    await notifier?.stop().catch(() => undefined);
    await retention?.stop().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
