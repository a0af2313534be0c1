/**
 * POST /v1/nonce: OpenID4VCI 1.0's Nonce Endpoint. Public (a worker's device asks before it
 * has anything to authenticate with): a fresh, unpredictable c_nonce, never cached, that a
 * proof of possession of a holder key (openid4vci-proof+jwt) carries when a credential is
 * to be bound to that key. Each is good once, for C_NONCE_TTL_S.
 */
import { Router } from 'express';
import { handle } from '../http/validate';
import type { Services } from '../services/context';
import { newCNonce } from '../services/nonces';

export function nonceRoutes(s: Services): Router {
  const r = Router();
  r.post(
    '/v1/nonce',
    handle(async (_req, res) => {
      const { c_nonce } = await newCNonce(s);
      res.status(200).setHeader('Cache-Control', 'no-store').json({ c_nonce });
    }),
  );
  return r;
}
