/**
 * The error handler keeps a client's error a 4xx: an error that carries its own 4xx status
 * (express's router failing to decode a `%` in a path parameter, a parser's http-errors)
 * is answered with that status class and a stable code; only the unexpected is a 500. The
 * handler is mounted alone on a small express app, served on port 0.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { after, before, describe, it } from 'mocha';
import { errorHandler } from '@anxin/gateway/server';

describe('problem documents: an error’s own 4xx status is kept', () => {
  let server: Server;
  let url = '';
  const logged: unknown[] = [];

  before(async () => {
    const app = express();
    app.get('/things/:id', (_req, res) => void res.json({ ok: true }));
    app.get('/status/:n', (req) => {
      throw Object.assign(new Error('from a library'), { status: Number(req.params.n), expose: true });
    });
    app.get('/typed', () => {
      throw Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large' });
    });
    app.get('/boom', () => {
      throw new Error('a bug');
    });
    app.use(errorHandler((e) => logged.push(e)));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { code: string } };
  };

  it('the router cannot decode a parameter (/things/%E0%A4%A) → 400 malformed_path', async () => {
    const r = await get('/things/%E0%A4%A');
    expect(r.status).to.equal(400);
    expect(r.type).to.match(/^application\/problem\+json/);
    expect(r.body.code).to.equal('malformed_path');
  });

  it('a thrown 4xx keeps its status where a code exists for it, else 400 bad_request', async () => {
    for (const [status, answered, code] of [
      [404, 404, 'not_found'],
      [415, 415, 'unsupported_media_type'],
      [400, 400, 'bad_request'],
      [416, 400, 'bad_request'],
    ] as const) {
      const r = await get(`/status/${status}`);
      expect(r.status, String(status)).to.equal(answered);
      expect(r.body.code).to.equal(code);
    }
    expect((await get('/typed')).body.code).to.equal('payload_too_large');
  });

  it('anything else is a logged 500 internal', async () => {
    const before = logged.length;
    const r = await get('/boom');
    expect(r.status).to.equal(500);
    expect(r.body.code).to.equal('internal');
    expect(logged.length).to.equal(before + 1);
    // A 5xx a library throws is not the client's fault either.
    expect((await get('/status/503')).status).to.equal(500);
  });
});
