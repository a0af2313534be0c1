import { Router } from 'express';
import { ALL_SCHEMAS, SCHEMA_BASE, blockToJsonSafe } from './public-helpers';
import { DomainError } from '../errors';
import type { Metrics } from '../http/observability';
import { handle } from '../http/validate';
import type { Services } from '../services/context';
import type { TrustList } from '../services/trust-list';

export function publicRoutes(s: Services, metrics: Metrics, trustList: TrustList, openapi: () => object): Router {
  const r = Router();

  r.get(
    '/v1/trust-list',
    handle(async (req, res) => {
      const t = await trustList.current();
      if (req.accepts(['application/json', 'application/jwt']) === 'application/jwt') {
        res.type('application/jwt').send(t.jws);
      } else {
        res.json({ trustList: t.jws, kid: t.kid, publicJwk: t.publicJwk });
      }
    }),
  );

  r.get(
    '/.well-known/jwks.json',
    handle(async (_req, res) => {
      const keys = await s.keys.list('gateway');
      res.json({ keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) });
    }),
  );

  r.get(
    '/v1/ledger/info',
    handle(async (_req, res) => {
      const info = await s.ledger.info();
      metrics.ledgerHeight.set(info.height);
      res.json({ kind: s.ledger.kind, ...info, projectedTo: s.projection.position.block });
    }),
  );

  r.get(
    '/v1/ledger/blocks/:n',
    handle(async (req, res) => {
      const raw = req.params.n as string;
      if (!/^\d{1,15}$/.test(raw))
        throw new DomainError('validation_failed', 'the block number must be a non-negative integer');
      const n = Number(raw);
      const { height } = await s.ledger.info();
      if (n >= height) throw new DomainError('not_found', `no block ${n}; the ledger's height is ${height}`);
      let bytes: Uint8Array | undefined;
      for await (const b of s.ledger.blocks(n, { follow: false })) {
        bytes = b.bytes;
        break;
      }
      if (!bytes) throw new DomainError('not_found', `no block ${n}`);
      if (req.query.format === 'json') {
        res.json(blockToJsonSafe(bytes));
      } else if (req.query.format === undefined || req.query.format === 'protobuf') {
        res.type('application/octet-stream').setHeader('Content-Disposition', `attachment; filename="block-${n}.pb"`);
        res.send(Buffer.from(bytes));
      } else {
        throw new DomainError('validation_failed', 'format must be json or protobuf');
      }
    }),
  );

  r.get('/schemas/v1/:name', (req, res, next) => {
    const schema = ALL_SCHEMAS.find((x) => x.$id === `${SCHEMA_BASE}${req.params.name as string}`);
    if (!schema) return next(new DomainError('not_found', `no schema ${req.params.name as string}`));
    res.type('application/schema+json').send(JSON.stringify(schema));
  });

  r.get('/openapi.json', (_req, res) => {
    res.json(openapi());
  });
  return r;
}
