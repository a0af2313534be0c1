/**
 * The worker's receipts, authenticated by its device key alone: POST /v1/holder/challenge
 * (public; rate-limited per address like every keyless request) hands out a one-time nonce
 * and the audience to sign for; POST /v1/holder/receipts takes the signed JWT and answers who
 * verified the credentials bound to that key.
 */
import { Router } from 'express';
import { holderReceiptsRequestSchema, type HolderReceiptsRequest } from '@anxin/schemas';
import { body, handle } from '../http/validate';
import type { Services } from '../services/context';
import { holderReceipts, newHolderChallenge } from '../services/holder/receipts';

export function holderRoutes(s: Services): Router {
  const r = Router();
  r.post(
    '/v1/holder/challenge',
    handle(async (_req, res) => {
      res
        .status(200)
        .setHeader('Cache-Control', 'no-store')
        .json(await newHolderChallenge(s));
    }),
  );
  r.post(
    '/v1/holder/receipts',
    body(holderReceiptsRequestSchema.$id),
    handle(async (req, res) => {
      const { proof } = req.body as HolderReceiptsRequest;
      res.setHeader('Cache-Control', 'no-store').json(await holderReceipts(s, proof));
    }),
  );
  return r;
}
