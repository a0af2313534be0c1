/**
 * The published status lists, public (no API key) and cacheable: ETag and If-None-Match,
 * Cache-Control bounded by the list's `ttl` and never past its `exp`, and CORS open so
 * that a verifier's page on any origin can fetch them.
 *
 *   GET /v1/status-lists/:list               Token Status List (application/statuslist+jwt)
 *   GET /v1/status-lists/:list/:purpose      Bitstring Status List credential (application/vc+jwt)
 */
import { Router, type Response } from 'express';
import { statusListId } from '@anxin/schemas';
import { DomainError } from '../errors';
import { handle } from '../http/validate';
import {
  STATUS_LIST_TTL_S,
  STATUS_PURPOSES,
  type PublishedList,
  type StatusListPublisher,
  type StatusPurpose,
} from '../services/status-lists';

const LIST_NAME = new RegExp(statusListId.pattern);

function listOf(raw: unknown): string {
  if (typeof raw !== 'string' || !LIST_NAME.test(raw)) throw new DomainError('not_found', 'no such status list');
  return raw;
}

function send(req: { headers: Record<string, unknown> }, res: Response, p: PublishedList): void {
  const left = p.exp - Math.floor(Date.now() / 1000);
  res.setHeader('Cache-Control', `public, max-age=${Math.max(0, Math.min(STATUS_LIST_TTL_S, left))}`);
  res.setHeader('ETag', p.etag);
  res.setHeader('Last-Modified', new Date(p.iat * 1000).toUTCString());
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'ETag');
  const match = req.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((t) => t.trim() === p.etag)) {
    res.status(304).end();
    return;
  }
  res.type(p.mediaType).send(p.body);
}

export function statusListRoutes(lists: StatusListPublisher): Router {
  const r = Router();
  r.get(
    '/v1/status-lists/:list',
    handle(async (req, res) => send(req, res, await lists.token(listOf(req.params.list)))),
  );
  r.get(
    '/v1/status-lists/:list/:purpose',
    handle(async (req, res) => {
      const purpose = req.params.purpose as string;
      if (!(STATUS_PURPOSES as readonly string[]).includes(purpose)) {
        throw new DomainError('not_found', 'a status list’s purpose is revocation or suspension');
      }
      send(req, res, await lists.bitstring(listOf(req.params.list), purpose as StatusPurpose));
    }),
  );
  return r;
}
