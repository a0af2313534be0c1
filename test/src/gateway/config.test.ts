/**
 * Configuration: safe defaults from an empty environment, every bad value refused with a
 * ConfigError naming its variable, and the gateway process stopping on one clear line.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ConfigError, loadConfig } from '@anxin/gateway';
import { tempDir } from '../helpers/tmp';

const MAIN = require.resolve('@anxin/gateway/main');

describe('gateway configuration', () => {
  it('an empty environment gives safe defaults: loopback, embedded ledger and SQLite under ./data', () => {
    const c = loadConfig({}, '/srv/anxin');
    expect(c.host).to.equal('127.0.0.1');
    expect(c.port).to.equal(8080);
    expect(c.dataDir).to.equal('/srv/anxin/data');
    expect(c.ledger).to.deep.include({ kind: 'embedded', dir: '/srv/anxin/data/ledger' });
    expect(c.store).to.deep.equal({ kind: 'sqlite', path: '/srv/anxin/data/store.sqlite' });
    expect(c.kekFile).to.equal('/srv/anxin/data/kek.key');
    expect(c.bodyLimit).to.equal(256 * 1024);
    expect(c.logLevel).to.equal('info');
    expect(c.verifyThreads).to.equal(Math.min(4, availableParallelism() - 1));
    expect(c.notify).to.deep.equal({ retryBaseMs: 30_000, maxAttempts: 10 });
    expect(c.rateLimitPerMinute).to.equal(60_000);
    expect(c.rateLimitPerAddressPerMinute).to.equal(600);
    expect(c.idempotencyLeaseMs).to.equal(60_000);
    expect(c.killAt).to.equal(undefined);
    expect(c.readiness).to.deep.equal({ maxLagBlocks: 100, maxLagSeconds: 60 });
    // /metrics: open, beside the API, as it always was.
    expect(c.metrics).to.deep.equal({});
    expect(c.kekPreviousFiles).to.deep.equal([]);
  });

  it('readiness limits and where /metrics is served are read as given', () => {
    const c = loadConfig({
      ANXIN_HOST: '0.0.0.0',
      ANXIN_READY_MAX_LAG_BLOCKS: '5',
      ANXIN_READY_MAX_LAG_SECONDS: '0',
      ANXIN_METRICS_TOKEN: 'scrape-0123456789abcdef',
      ANXIN_METRICS_PORT: '9464',
    });
    expect(c.readiness).to.deep.equal({ maxLagBlocks: 5, maxLagSeconds: 0 });
    expect(c.metrics).to.deep.equal({ token: 'scrape-0123456789abcdef', listen: { host: '0.0.0.0', port: 9464 } });
    expect(loadConfig({ ANXIN_METRICS_HOST: '127.0.0.1', ANXIN_METRICS_PORT: '0' }).metrics).to.deep.equal({
      listen: { host: '127.0.0.1', port: 0 },
    });
  });

  it('the budget without a valid key is stricter than a key’s unless set', () => {
    expect(loadConfig({ ANXIN_RATE_LIMIT: '120' }).rateLimitPerAddressPerMinute).to.equal(120);
    expect(loadConfig({ ANXIN_RATE_LIMIT_ANONYMOUS: '30' }).rateLimitPerAddressPerMinute).to.equal(30);
    expect(
      loadConfig({ ANXIN_RATE_LIMIT: '120', ANXIN_RATE_LIMIT_ANONYMOUS: '5000' }).rateLimitPerAddressPerMinute,
    ).to.equal(5000);
  });

  it('sizes, counts and threads are read as given', () => {
    const c = loadConfig({
      ANXIN_BODY_LIMIT: '1mb',
      ANXIN_RATE_LIMIT: '120',
      ANXIN_VERIFY_THREADS: '0',
      ANXIN_NOTIFY_RETRY_MS: '250',
      ANXIN_NOTIFY_ATTEMPTS: '3',
      ANXIN_IDEMPOTENCY_LEASE_MS: '5000',
    });
    expect(c.notify).to.deep.equal({ retryBaseMs: 250, maxAttempts: 3 });
    expect(c.idempotencyLeaseMs).to.equal(5_000);
    expect(c.bodyLimit).to.equal(1024 * 1024);
    expect(c.rateLimitPerMinute).to.equal(120);
    expect(c.verifyThreads).to.equal(0);
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ ANXIN_PORT: '70000' }, 'ANXIN_PORT'],
    [{ ANXIN_PORT: 'http' }, 'ANXIN_PORT'],
    [{ ANXIN_HOST: 'a host; rm -rf' }, 'ANXIN_HOST'],
    [{ ANXIN_PUBLIC_URL: 'not a url' }, 'ANXIN_PUBLIC_URL'],
    [{ ANXIN_LEDGER: 'postgres' }, 'ANXIN_LEDGER'],
    [{ ANXIN_LEDGER: 'fabric' }, 'ANXIN_FABRIC_PEER_ENDPOINT'],
    [{ ANXIN_STORE: 'mongodb' }, 'MONGODB_URI'],
    [{ ANXIN_STORE: 'mongodb', MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ ANXIN_BODY_LIMIT: '10gb' }, 'ANXIN_BODY_LIMIT'],
    [{ ANXIN_BODY_LIMIT: '12' }, 'ANXIN_BODY_LIMIT'],
    [{ ANXIN_RATE_LIMIT: '0' }, 'ANXIN_RATE_LIMIT'],
    [{ ANXIN_RATE_LIMIT_ANONYMOUS: '0' }, 'ANXIN_RATE_LIMIT_ANONYMOUS'],
    [{ ANXIN_LOG_LEVEL: 'loud' }, 'ANXIN_LOG_LEVEL'],
    [{ ANXIN_VERIFY_THREADS: '-1' }, 'ANXIN_VERIFY_THREADS'],
    [{ ANXIN_VERIFY_THREADS: '65' }, 'ANXIN_VERIFY_THREADS'],
    [{ ANXIN_NOTIFY_RETRY_MS: '5' }, 'ANXIN_NOTIFY_RETRY_MS'],
    [{ ANXIN_NOTIFY_ATTEMPTS: '0' }, 'ANXIN_NOTIFY_ATTEMPTS'],
    [{ ANXIN_BATCH_TIMEOUT_MS: '0' }, 'ANXIN_BATCH_TIMEOUT_MS'],
    [{ ANXIN_IDEMPOTENCY_LEASE_MS: '999' }, 'ANXIN_IDEMPOTENCY_LEASE_MS'],
    [{ ANXIN_TEST_KILL_AT: 'somewhere' }, 'ANXIN_TEST_KILL_AT'],
    [{ ANXIN_READY_MAX_LAG_BLOCKS: '0' }, 'ANXIN_READY_MAX_LAG_BLOCKS'],
    [{ ANXIN_READY_MAX_LAG_SECONDS: '-1' }, 'ANXIN_READY_MAX_LAG_SECONDS'],
    [{ ANXIN_METRICS_TOKEN: 'short' }, 'ANXIN_METRICS_TOKEN'],
    [{ ANXIN_METRICS_TOKEN: 'a token with spaces in it' }, 'ANXIN_METRICS_TOKEN'],
    [{ ANXIN_METRICS_HOST: '127.0.0.1' }, 'ANXIN_METRICS_PORT'],
    [{ ANXIN_METRICS_PORT: '65536' }, 'ANXIN_METRICS_PORT'],
    [{ ANXIN_METRICS_PORT: '9464', ANXIN_METRICS_HOST: 'a host; rm' }, 'ANXIN_METRICS_HOST'],
  ];
  for (const [env, variable] of bad) {
    it(`${JSON.stringify(env)} → ConfigError naming ${variable}`, () => {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).variable).to.equal(variable);
      expect((err as ConfigError).code).to.equal('config_invalid');
    });
  }

  it('the gateway process stops on a bad configuration: exit 2, one line on stderr, nothing created', () => {
    const dir = tempDir('config');
    const r = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ANXIN_DATA_DIR: `${dir}/data`, ANXIN_VERIFY_THREADS: 'many' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      /^anxin: configuration error: ANXIN_VERIFY_THREADS must be an integer 0–64 \(got 'many'\)$/,
    );
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
