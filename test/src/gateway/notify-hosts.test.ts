/**
 * Where webhook notices may go. A URL is judged when it is set (webhookUrlProblem: no
 * private, link-local, reserved or special-purpose address, however it is written — IPv6
 * forms that carry an IPv4 address included); at each delivery its host name is resolved
 * once, every address is judged, and the connection goes to a judged address, keeping the
 * URL's name in the Host header and the TLS server name. Name resolution is given to the
 * notifier here, so that a name can resolve to 10.1.2.3, or to a public address first and a
 * private one afterwards (DNS rebinding); the store is a real (in-memory SQLite) one, and
 * the receivers are real sockets on this machine.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { createServer as createTlsServer } from 'node:tls';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SqliteStore } from '@anxin/gateway/store/sqlite';
import type { NotificationRecord } from '@anxin/gateway/store';
import { type Services, Notifier, type TrustList, webhookUrlProblem } from '@anxin/gateway/server';

const NOW = new Date('2026-11-25T08:00:00.000Z');
/** A public unicast address (routable on the Internet; nothing here expects it to answer). */
const PUBLIC = '93.184.215.14';

/** Addresses no webhook may reach, each written as a resolver could answer it. */
const INTERNAL: Array<[string, string]> = [
  ['10.1.2.3', 'private'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['100.64.0.1', 'shared address space'],
  ['198.18.0.1', 'benchmarking 198.18.0.0/15'],
  ['198.19.255.254', 'benchmarking, upper half'],
  ['192.0.2.10', 'documentation 192.0.2.0/24'],
  ['192.0.0.8', 'IETF protocol assignments 192.0.0.0/24'],
  ['0.0.0.0', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::a9fe:a9fe', 'IPv4-compatible link-local'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
  ['64:ff9b:1::a00:1', 'local-use NAT64'],
  ['2002:a00:1::1', '6to4 of 10.0.0.1'],
  ['2002:5db8:d70e::1', '6to4 of a public address'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['fd00::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['2001:db8::1', 'documentation'],
  ['::1', 'loopback, for a name other than localhost'],
];

describe('webhook URLs: addresses however written', () => {
  // [::1] names this machine itself, which a webhook may (below).
  for (const [address, what] of INTERNAL.filter(([a]) => a !== '::1')) {
    const url = `https://${address.includes(':') ? `[${address}]` : address}/hook`;
    it(`${url} (${what}) → refused when set`, () => {
      expect(webhookUrlProblem(url)).to.match(/private, link-local or reserved/);
    });
  }

  it('public addresses, also as IPv4-mapped or NAT64 IPv6, and names → accepted', () => {
    for (const url of [
      `https://${PUBLIC}/hook`,
      'https://[2606:4700:4700::1111]/hook',
      `https://[::ffff:${PUBLIC}]/hook`,
      'https://[64:ff9b::5db8:d70e]/hook',
      'https://hooks.hotpot.example/anxin',
      'http://localhost:8080/hook',
      'http://127.0.0.1:8080/hook',
      'http://[::1]:8080/hook',
    ])
      expect(webhookUrlProblem(url), url).to.equal(undefined);
  });
});

describe('webhook delivery: where a host name resolves', () => {
  let store: SqliteStore;
  before(() => {
    store = new SqliteStore(':memory:');
  });
  after(() => store.close());

  let serial = 0;
  const notice = (url: string): NotificationRecord => ({
    id: `n-${++serial}`,
    verifier: 'restaurant',
    url,
    credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    body: 'e30.e30.sig',
    state: 'pending',
    attempts: 0,
    nextAttemptAt: NOW.toISOString(),
    createdAt: NOW.toISOString(),
  });

  /** Deliver one notice, with `resolve` as the notifier's name resolution; the notice afterwards. */
  async function deliver(url: string, resolve: (host: string) => string[]): Promise<NotificationRecord> {
    const n = notice(url);
    await store.enqueueNotifications([n]);
    const notifier = new Notifier({ store, now: () => NOW } as unknown as Services, {} as TrustList, {
      retryBaseMs: 1_000,
      maxAttempts: 3,
      timeoutMs: 1_500,
      lookup: async (host) => {
        const a = resolve(host);
        if (!a.length) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        return a;
      },
    });
    await notifier.deliverDue();
    return (await store.listNotifications('restaurant', 100)).find((x) => x.id === n.id)!;
  }

  it('a name resolving to a private address among public ones: not posted, the attempt names the address', async () => {
    const n = await deliver('https://hooks.hotpot.example/anxin', () => [PUBLIC, '10.1.2.3']);
    expect(n).to.deep.include({ state: 'pending', attempts: 1 });
    expect(n.lastError).to.equal(
      'hooks.hotpot.example resolves to 10.1.2.3, a private, link-local or reserved address',
    );
  });

  it('a name resolving to any special-purpose address, IPv6 embeddings included: not posted', async () => {
    for (const [address, what] of INTERNAL) {
      const n = await deliver('https://hooks.hotpot.example/anxin', () => [address]);
      expect(n.lastError, what).to.equal(
        `hooks.hotpot.example resolves to ${address}, a private, link-local or reserved address`,
      );
    }
  });

  it('a literal address set before these rules: judged again at delivery', async () => {
    const n = await deliver('https://[64:ff9b::a9fe:a9fe]/latest/meta-data', () => []);
    expect(n.lastError).to.equal('64:ff9b::a9fe:a9fe is a private, link-local or reserved address');
  });

  it('a name that does not resolve: the attempt fails saying so', async () => {
    const n = await deliver('https://nowhere.hotpot.example/anxin', () => []);
    expect(n.lastError).to.equal('cannot resolve nowhere.hotpot.example: ENOTFOUND');
  });

  describe('the connection goes to the address judged', () => {
    let http: HttpServer;
    let port = 0;
    const seen: Array<{ host: string | undefined; body: string }> = [];

    before(async () => {
      http = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push({ host: req.headers.host, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      port = (http.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => http.close(() => r())));

    it('localhost is resolved once, must be loopback, and keeps its name in the Host header', async () => {
      const asked: string[] = [];
      const n = await deliver(`http://localhost:${port}/hook`, (host) => {
        asked.push(host);
        return asked.length === 1 ? ['127.0.0.1'] : ['10.9.9.9'];
      });
      expect(n.state, n.lastError).to.equal('delivered');
      expect(asked).to.deep.equal(['localhost']);
      expect(seen.at(-1)).to.deep.equal({ host: `localhost:${port}`, body: 'e30.e30.sig' });

      const refused = await deliver(`http://localhost:${port}/hook`, () => ['10.9.9.9']);
      expect(refused.lastError).to.equal('localhost resolves to 10.9.9.9, a private, link-local or reserved address');
    });

    it('https keeps the URL’s name as the TLS server name (SNI)', async () => {
      const names: string[] = [];
      // No certificate at all: the handshake fails once the server has read the name asked for.
      const tls = createTlsServer({
        SNICallback: (name, cb) => {
          names.push(name);
          cb(new Error('no certificate here'), undefined as never);
        },
      });
      await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
      const tlsPort = (tls.address() as AddressInfo).port;
      try {
        const n = await deliver(`https://localhost:${tlsPort}/hook`, () => ['127.0.0.1']);
        expect(n.state).to.equal('pending');
        expect(names).to.deep.equal(['localhost']);
      } finally {
        await new Promise<void>((r) => tls.close(() => r()));
      }
    });
  });

  describe('DNS rebinding: public when checked, private when connecting', () => {
    let listener: Server;
    let port = 0;
    let connections = 0;
    // A name the system resolves to this machine (its own host name, in /etc/hosts), so that
    // a connection made by resolving again would reach the listener.
    const name = hostname();

    before(async function () {
      const local = await lookup(name).catch(() => undefined);
      if (!local || name === 'localhost') this.skip();
      listener = createNetServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((r) => listener.listen(0, r));
      port = (listener.address() as AddressInfo).port;
    });
    after(() => (listener ? new Promise<void>((r) => listener.close(() => r())) : undefined));

    it('a resolver that answers public first and private later: one resolution, no connection to the private side', async () => {
      const asked: string[] = [];
      const n = await deliver(`https://${name}:${port}/hook`, (host) => {
        asked.push(host);
        return asked.length === 1 ? [PUBLIC] : ['127.0.0.1'];
      });
      expect(asked).to.deep.equal([name]);
      expect(connections).to.equal(0);
      expect(n.state).to.equal('pending');
      expect(n.lastError).not.to.match(/resolves to/);
    });
  });
});
