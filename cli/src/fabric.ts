/**
 * --fabric PROFILE: a Fabric peer to read blocks from, through the Fabric Ledger adapter
 * (network/fabric/adapter). PROFILE is one of
 *   - a network.json written by network/fabric (its `gateway` section is used),
 *   - a JSON file with the adapter's own settings (peerEndpoint, tlsRootCert, mspId, certPath, keyPath, channel),
 *   - an env file of ANXIN_FABRIC_* lines (KEY='value', as `network.sh env` and DIR/anxin-fabric.env write them),
 *   - the word `env`: the ANXIN_FABRIC_* variables of this process.
 * Relative paths in a file are taken from the file's folder. ANXIN_FABRIC_CONNECT_TIMEOUT_MS
 * (default 10000) bounds the wait for the peer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfig, type FabricConfig } from '@anxin/gateway/config';
import type { Ledger } from '@anxin/network';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/wire';
import { CliError } from './common';

type Env = Record<string, string | undefined>;

/** Parse KEY=value lines (values optionally in single or double quotes; `export ` and comments allowed). */
export function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    env[m[1]!] = v;
  }
  return env;
}

function fromEnv(env: Env, base: string): FabricConfig {
  try {
    const cfg = loadConfig({ ...env, ANXIN_LEDGER: 'fabric' }, base);
    if (cfg.ledger.kind !== 'fabric') throw new CliError('not a Fabric profile', { code: 'INVALID_INPUT' });
    const { kind: _kind, ...fabric } = cfg.ledger;
    return fabric;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`--fabric: ${e.message}`, { code: 'INVALID_INPUT' });
    throw e;
  }
}

function absolutise(cfg: FabricConfig, base: string): FabricConfig {
  const abs = (p: string) => (p.trimStart().startsWith('-----BEGIN') || isAbsolute(p) ? p : resolve(base, p));
  return { ...cfg, tlsRootCert: abs(cfg.tlsRootCert), certPath: abs(cfg.certPath), keyPath: abs(cfg.keyPath) };
}

/** The adapter settings a profile names. */
export function fabricConfigOf(profile: string): { cfg: FabricConfig; describe: string } {
  if (profile === 'env')
    return { cfg: fromEnv(process.env, process.cwd()), describe: 'Fabric peer (ANXIN_FABRIC_* environment)' };
  if (!existsSync(profile))
    throw new CliError(
      `--fabric: ${profile} does not exist (give a network.json, an ANXIN_FABRIC_* env file, or 'env')`,
      { code: 'INVALID_INPUT' },
    );
  const base = dirname(resolve(profile));
  const text = readFileSync(profile, 'utf8');
  let json: Record<string, unknown> | undefined;
  if (text.trimStart().startsWith('{')) {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new CliError(`--fabric: ${profile} is not valid JSON: ${(e as Error).message}`, { code: 'INVALID_INPUT' });
    }
  }
  let cfg: FabricConfig;
  if (json && typeof json.gateway === 'object' && json.gateway) {
    const g = json.gateway as Record<string, string>;
    for (const k of ['peerEndpoint', 'tlsRootCertPath', 'mspId', 'certPath', 'keyPath']) {
      if (typeof g[k] !== 'string')
        throw new CliError(`--fabric: ${profile} has no gateway.${k}`, { code: 'INVALID_INPUT' });
    }
    cfg = {
      peerEndpoint: g.peerEndpoint!,
      tlsRootCert: g.tlsRootCertPath!,
      ...(g.serverNameOverride ? { serverNameOverride: g.serverNameOverride } : {}),
      mspId: g.mspId!,
      certPath: g.certPath!,
      keyPath: g.keyPath!,
      channel: g.channel ?? 'anxin',
      chaincode: g.chaincode ?? DEFAULT_CHAINCODE_NAME,
    };
  } else if (json && typeof json.peerEndpoint === 'string') {
    const given = json as unknown as FabricConfig;
    cfg = { ...given, channel: given.channel ?? 'anxin', chaincode: given.chaincode ?? DEFAULT_CHAINCODE_NAME };
  } else if (json && typeof json.env === 'object' && json.env) {
    cfg = fromEnv(json.env as Env, base);
  } else if (json) {
    throw new CliError(
      `--fabric: ${profile} is neither a network.json (with a gateway section) nor Fabric adapter settings`,
      { code: 'INVALID_INPUT' },
    );
  } else {
    cfg = fromEnv(parseEnvFile(text), base);
  }
  return {
    cfg: absolutise(cfg, base),
    describe: `Fabric peer ${cfg.peerEndpoint}, channel ${cfg.channel} (${profile})`,
  };
}

/** Connect to the peer a profile names. Exit 2 when the adapter is missing or the peer cannot be reached. */
export async function openFabricProfile(profile: string): Promise<{ ledger: Ledger; describe: string }> {
  const { cfg, describe } = fabricConfigOf(profile);
  type Mod = { openFabricLedger?: (c: FabricConfig, o?: object) => Promise<Ledger> };
  let mod: Mod;
  try {
    const m = (await import('@anxin/network/fabric')) as unknown as Mod & { default?: Mod };
    mod = m.openFabricLedger ? m : (m.default ?? {});
  } catch (e) {
    throw new CliError(`--fabric: the Fabric adapter cannot be loaded: ${(e as Error).message}`, { code: 'FAILED' });
  }
  if (typeof mod.openFabricLedger !== 'function') {
    throw new CliError('--fabric: this build has no Fabric Ledger adapter (network/fabric/adapter: openFabricLedger)', {
      code: 'FAILED',
    });
  }
  try {
    const connectMs = Number(process.env.ANXIN_FABRIC_CONNECT_TIMEOUT_MS) || 10_000;
    const ledger = await mod.openFabricLedger(cfg, { timeouts: { connectMs }, streamRetries: 2 });
    return { ledger, describe };
  } catch (e) {
    throw new CliError(`--fabric: ${(e as Error).message}`, { code: 'UNREACHABLE' });
  }
}
