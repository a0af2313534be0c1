/**
 * Configuration: read once from the environment, validated, then passed down. Nothing
 * else in the gateway reads process.env. A bad value stops the process with one line.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { FabricLedgerConfig } from '@anxin/network/fabric';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/wire';
import { AnxinError } from './errors';
import { FAULT_POINTS, type FaultPoint } from './services/context';

/** Where the Fabric peer is and who the gateway is on it (from the ANXIN_FABRIC_* variables). */
export type FabricConfig = FabricLedgerConfig;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  publicUrl: string;
  ledger: { kind: 'embedded'; dir: string; batchTimeoutMs?: number } | ({ kind: 'fabric' } & FabricConfig);
  store: { kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string };
  kekFile: string;
  /**
   * Key-encryption keys that open records but never seal them: an operator's earlier KEK
   * (ANXIN_KEK_PREVIOUS_FILE). The files a KEK rotation leaves beside `kekFile` (`.next`,
   * `.previous`) are found without being named here.
   */
  kekPreviousFiles: string[];
  /**
   * A registrar private key (JWK or PKCS#8 PEM) to take into custody at start, so that
   * another gateway on a shared ledger can register issuers too.
   */
  registrarKeyFile?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Requests per minute per valid API key. */
  rateLimitPerMinute: number;
  /** Requests per minute per client address for requests without a valid key (public routes, missing or wrong keys). */
  rateLimitPerAddressPerMinute: number;
  /** OpenID4VCI token requests per minute per client address (PIN guesses). */
  tokenRateLimitPerAddressPerMinute: number;
  /** Threads that verify credentials beside the one serving HTTP (0: verify on that one). */
  verifyThreads: number;
  /** Webhook notifications: the first retry after this many ms, doubling each attempt; given up after maxAttempts. */
  notify: { retryBaseMs: number; maxAttempts: number };
  /** How long an Idempotency-Key claim is held for its request before a retry may take it over. */
  idempotencyLeaseMs: number;
  /** /readyz answers 503 when the projection is further behind the ledger than this (seconds: 0 = no limit). */
  readiness: { maxLagBlocks: number; maxLagSeconds: number };
  /**
   * Who may read /metrics: with `token`, only a request carrying it (`Authorization: Bearer`);
   * with `listen`, /metrics is served on that address alone, not beside the API.
   */
  metrics: { token?: string; listen?: { host: string; port: number } };
  /**
   * For crash tests only (ANXIN_TEST_KILL_AT): the process kills itself (SIGKILL) when an
   * issuance reaches this point, so that recovering from exactly there can be tested.
   */
  killAt?: FaultPoint;
}

/**
 * A variable of the environment has a value the gateway cannot start with; the message names
 * the variable first.
 *
 * @example
 * try { loadConfig(process.env); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.variable, e.code); }
 */
export class ConfigError extends AnxinError<'config_invalid'> {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('config_invalid', `${variable} ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(name, `must be an integer ${min}–${max} (got '${v}')`);
  }
  return Number(v);
}

function hostOf(env: Env, name: string, fallback: string): string {
  const host = env[name] || fallback;
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(name, `is not a host name or address (got '${host}')`);
  return host;
}

/** A bearer secret: long enough not to be guessed, printable, no white space (it travels in a header). */
function secret(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^[\x21-\x7e]{16,512}$/.test(v)) {
    throw new ConfigError(name, 'must be 16–512 printable ASCII characters without spaces');
  }
  return v;
}

/** Where /metrics is served on its own, when ANXIN_METRICS_HOST or ANXIN_METRICS_PORT says so. */
function metricsListen(env: Env, host: string): { host: string; port: number } | undefined {
  if (!env.ANXIN_METRICS_HOST && !env.ANXIN_METRICS_PORT) return undefined;
  if (!env.ANXIN_METRICS_PORT) throw new ConfigError('ANXIN_METRICS_PORT', 'is required with ANXIN_METRICS_HOST');
  return { host: hostOf(env, 'ANXIN_METRICS_HOST', host), port: int(env, 'ANXIN_METRICS_PORT', 0, 0, 65535) };
}

function required(env: Env, name: string, why: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(name, `is required ${why}`);
  return v;
}

/** Requests per minute per address without a valid key, unless ANXIN_RATE_LIMIT_ANONYMOUS says otherwise. */
const DEFAULT_ANONYMOUS_RATE = 600;

const SIZE = /^(\d+)(b|kb|mb)?$/i;

function size(env: Env, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const m = SIZE.exec(v.trim());
  if (!m) throw new ConfigError(name, `must be a size like 256kb or 1mb (got '${v}')`);
  const n = Number(m[1]) * ({ b: 1, kb: 1024, mb: 1024 * 1024 } as const)[(m[2] ?? 'b').toLowerCase() as 'b'];
  if (n < 1024 || n > 64 * 1024 * 1024) throw new ConfigError(name, `must be between 1kb and 64mb (got '${v}')`);
  return n;
}

/**
 * Build the configuration from an environment.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError naming the variable
 */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  const host = hostOf(env, 'ANXIN_HOST', '127.0.0.1');
  const port = int(env, 'ANXIN_PORT', 8080, 0, 65535);
  const dataDir = resolve(cwd, env.ANXIN_DATA_DIR || './data');
  const publicUrl = (env.ANXIN_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError('ANXIN_PUBLIC_URL', `is not a URL (got '${publicUrl}')`);
  }
  const ledgerKind = oneOf(env, 'ANXIN_LEDGER', ['embedded', 'fabric'] as const, 'embedded');
  const ledger: Config['ledger'] =
    ledgerKind === 'embedded'
      ? {
          kind: 'embedded',
          dir: resolve(dataDir, 'ledger'),
          ...(env.ANXIN_BATCH_TIMEOUT_MS ? { batchTimeoutMs: int(env, 'ANXIN_BATCH_TIMEOUT_MS', 50, 1, 10_000) } : {}),
        }
      : {
          kind: 'fabric',
          peerEndpoint: required(env, 'ANXIN_FABRIC_PEER_ENDPOINT', 'when ANXIN_LEDGER=fabric (host:port of a peer)'),
          tlsRootCert: required(
            env,
            'ANXIN_FABRIC_TLS_ROOT_CERT',
            "when ANXIN_LEDGER=fabric (PEM file of the peer's TLS CA)",
          ),
          ...(env.ANXIN_FABRIC_PEER_HOST_ALIAS ? { serverNameOverride: env.ANXIN_FABRIC_PEER_HOST_ALIAS } : {}),
          mspId: required(env, 'ANXIN_FABRIC_MSP_ID', 'when ANXIN_LEDGER=fabric (e.g. Org1MSP)'),
          certPath: required(
            env,
            'ANXIN_FABRIC_CERT',
            "when ANXIN_LEDGER=fabric (the client identity's certificate PEM)",
          ),
          keyPath: required(
            env,
            'ANXIN_FABRIC_KEY',
            "when ANXIN_LEDGER=fabric (the client identity's private key PEM)",
          ),
          channel: env.ANXIN_FABRIC_CHANNEL || 'anxin',
          chaincode: env.ANXIN_FABRIC_CHAINCODE || DEFAULT_CHAINCODE_NAME,
        };
  const storeKind = oneOf(env, 'ANXIN_STORE', ['sqlite', 'mongodb'] as const, 'sqlite');
  const store: Config['store'] =
    storeKind === 'sqlite'
      ? { kind: 'sqlite', path: resolve(dataDir, 'store.sqlite') }
      : { kind: 'mongodb', uri: required(env, 'MONGODB_URI', 'when ANXIN_STORE=mongodb') };
  if (store.kind === 'mongodb' && !/^mongodb(\+srv)?:\/\//.test(store.uri)) {
    throw new ConfigError('MONGODB_URI', 'must start with mongodb:// or mongodb+srv://');
  }
  const rateLimitPerMinute = int(env, 'ANXIN_RATE_LIMIT', 60_000, 1, 10_000_000);
  const metricsToken = secret(env, 'ANXIN_METRICS_TOKEN');
  const listen = metricsListen(env, host);
  return {
    host,
    port,
    dataDir,
    publicUrl,
    ledger,
    store,
    kekFile: resolve(cwd, env.ANXIN_KEK_FILE || resolve(dataDir, 'kek.key')),
    kekPreviousFiles: env.ANXIN_KEK_PREVIOUS_FILE ? [resolve(cwd, env.ANXIN_KEK_PREVIOUS_FILE)] : [],
    ...(env.ANXIN_REGISTRAR_KEY_FILE ? { registrarKeyFile: resolve(cwd, env.ANXIN_REGISTRAR_KEY_FILE) } : {}),
    logLevel: oneOf(
      env,
      'ANXIN_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    bodyLimit: size(env, 'ANXIN_BODY_LIMIT', 256 * 1024),
    rateLimitPerMinute,
    // Stricter than a key's unless set: wrong-key guesses and anonymous callers share it.
    rateLimitPerAddressPerMinute: int(
      env,
      'ANXIN_RATE_LIMIT_ANONYMOUS',
      Math.min(DEFAULT_ANONYMOUS_RATE, rateLimitPerMinute),
      1,
      10_000_000,
    ),
    tokenRateLimitPerAddressPerMinute: int(env, 'ANXIN_TOKEN_RATE_LIMIT', 20, 1, 10_000_000),
    // One core serves HTTP, the others verify (at most four threads; none on a one-core machine).
    verifyThreads: int(env, 'ANXIN_VERIFY_THREADS', Math.min(4, availableParallelism() - 1), 0, 64),
    notify: {
      retryBaseMs: int(env, 'ANXIN_NOTIFY_RETRY_MS', 30_000, 10, 3_600_000),
      maxAttempts: int(env, 'ANXIN_NOTIFY_ATTEMPTS', 10, 1, 50),
    },
    idempotencyLeaseMs: int(env, 'ANXIN_IDEMPOTENCY_LEASE_MS', 60_000, 1_000, 3_600_000),
    readiness: {
      maxLagBlocks: int(env, 'ANXIN_READY_MAX_LAG_BLOCKS', 100, 1, 1_000_000_000),
      maxLagSeconds: int(env, 'ANXIN_READY_MAX_LAG_SECONDS', 60, 0, 86_400),
    },
    metrics: { ...(metricsToken ? { token: metricsToken } : {}), ...(listen ? { listen } : {}) },
    ...(env.ANXIN_TEST_KILL_AT ? { killAt: oneOf(env, 'ANXIN_TEST_KILL_AT', FAULT_POINTS, FAULT_POINTS[0]!) } : {}),
  };
}
