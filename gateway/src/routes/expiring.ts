/** GET /v1/credentials/expiring?within=30d: what of the issuer's expires soon (see services/credentials/expiring). */
import { Router } from 'express';
import { expiringQuerySchema, type ExpiringQuery } from '@anxin/schemas';
import { requireScope } from '../http/auth';
import { handle, validBody } from '../http/validate';
import type { Services } from '../services/context';
import { listExpiring } from '../services/credentials/expiring';

export function expiringRoutes(s: Services): Router {
  const r = Router();
  r.get(
    '/v1/credentials/expiring',
    requireScope(s.store, 'issue'),
    handle(async (req, res) => {
      const q = validBody<ExpiringQuery>(expiringQuerySchema.$id, { ...req.query });
      res.setHeader('Cache-Control', 'no-store').json(
        await listExpiring(s, req.principal!, {
          within: q.within ?? '30d',
          limit: Number(q.limit ?? '100'),
          ...(q.after ? { after: q.after } : {}),
        }),
      );
    }),
  );
  return r;
}
