/** The registrar's keys: who may register issuers, and rotating them. */
import { Router } from 'express';
import { rotateRegistrarRequestSchema, type RotateRegistrarRequest } from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle } from '../http/validate';
import type { Services } from '../services/context';
import { publicRegistrar, rotateRegistrarKey } from '../services/registrar';

export function registrarRoutes(s: Services): Router {
  const r = Router();
  const admin = requireScope(s.store, 'admin');

  r.get(
    '/v1/registrar',
    handle(async (_req, res) => {
      const registrar = await s.ledgerClient.getRegistrar();
      if (!registrar) throw new DomainError('not_found', 'the ledger has no registrar keys yet');
      res.json(publicRegistrar(registrar));
    }),
  );

  r.post(
    '/v1/registrar/keys',
    admin,
    body(rotateRegistrarRequestSchema.$id),
    handle(async (req, res) => {
      const b = req.body as RotateRegistrarRequest;
      const record = await rotateRegistrarKey(s, {
        ...(b.alg ? { alg: b.alg } : {}),
        ...('retire' in b ? { retire: b.retire! } : {}),
      });
      res.status(201).json(publicRegistrar(record));
    }),
  );
  return r;
}
