/**
 * What any verifier may read without an API key to check a credential with standards
 * alone: the issuer's JWT VC Issuer Metadata, its controlled-identifier and did:web
 * documents (all from the ledger's projection of the registry), Anxin's JSON-LD context and
 * each type's SD-JWT VC Type Metadata. Readable from any origin (CORS for GET), cacheable
 * (Cache-Control and a strong ETag; a matching If-None-Match gets 304).
 */
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { CONTEXT_PATH, CREDENTIAL_TYPES, ISSUER_URN_PREFIX, anxinContext, type CredentialType } from '@anxin/schemas';
import { DomainError } from '../errors';
import type { Services } from '../services/context';
import { controlledIdentifierDocument, didWebDocument, jwtVcIssuerMetadata } from '../services/issuer-documents';
import { typeMetadataDocument } from '../services/type-metadata';

/** An issuer's keys change on rotation or compromise: caches check back within a minute. */
export const ISSUER_DOCUMENT_MAX_AGE_S = 60;
/** The context and the Type Metadata change only with a new version of the gateway. */
export const STATIC_DOCUMENT_MAX_AGE_S = 86_400;

const SLUG = /^[a-z0-9][a-z0-9-]{2,62}$/;

/** CORS for a public document: any origin may read it; nothing but GET (and HEAD) is offered. */
function openToAll(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Expose-Headers', 'ETag, Cache-Control');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

/** Send `body` as `type`, cacheable for `maxAge` seconds, or 304 when the client holds it already. */
function sendDocument(req: Request, res: Response, type: string, body: string, maxAge: number): void {
  openToAll(res);
  const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.setHeader('ETag', etag);
  const held = req.headers['if-none-match'];
  if (held && held.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.type(type).send(body);
}

export function discoveryRoutes(s: Services): Router {
  const r = Router();

  /** The registered issuer of a slug, from the projection of the ledger's registry. */
  const issuerOf = (slug: string) => {
    const issuer = SLUG.test(slug) ? s.projection.issuers.get(`${ISSUER_URN_PREFIX}${slug}`) : undefined;
    if (!issuer) throw new DomainError('not_found', `no issuer ${slug}`);
    return issuer;
  };

  // A browser asks before a cross-origin GET with headers of its own: yes, from anywhere. A
  // middleware, not a route: OPTIONS is not an operation of the API.
  const documents = [
    /^\/\.well-known\/jwt-vc-issuer\/issuers\/[^/]+$/,
    /^\/issuers\/[^/]+(\/did\.json)?$/,
    /^\/vct\/v1\/[^/]+$/,
  ];
  r.use((req, res, next) => {
    if (req.method !== 'OPTIONS' || !(req.path === CONTEXT_PATH || documents.some((d) => d.test(req.path))))
      return next();
    openToAll(res);
    res.setHeader('Access-Control-Allow-Headers', 'Accept, If-None-Match');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
  });

  r.get('/.well-known/jwt-vc-issuer/issuers/:slug', (req, res) => {
    const body = JSON.stringify(jwtVcIssuerMetadata(s.publicUrl, issuerOf(req.params.slug as string)));
    sendDocument(req, res, 'application/json', body, ISSUER_DOCUMENT_MAX_AGE_S);
  });

  r.get('/issuers/:slug', (req, res) => {
    const body = JSON.stringify(controlledIdentifierDocument(s.publicUrl, issuerOf(req.params.slug as string)));
    // Controlled Identifiers 1.0 names application/cid; a client asking for JSON gets the same as JSON.
    const type =
      req.accepts(['application/cid', 'application/json']) === 'application/json'
        ? 'application/json'
        : 'application/cid';
    sendDocument(req, res, type, body, ISSUER_DOCUMENT_MAX_AGE_S);
  });

  r.get('/issuers/:slug/did.json', (req, res) => {
    const slug = req.params.slug as string;
    const body = JSON.stringify(didWebDocument(s.publicUrl, issuerOf(slug), slug));
    sendDocument(req, res, 'application/did+json', body, ISSUER_DOCUMENT_MAX_AGE_S);
  });

  const context = JSON.stringify(anxinContext());
  r.get(CONTEXT_PATH, (req, res) => {
    sendDocument(req, res, 'application/ld+json', context, STATIC_DOCUMENT_MAX_AGE_S);
  });

  r.get('/vct/v1/:type', (req, res) => {
    const type = req.params.type as string;
    if (!(CREDENTIAL_TYPES as readonly string[]).includes(type))
      throw new DomainError('not_found', `no credential type ${type}`);
    const doc = typeMetadataDocument(s.publicUrl, type as CredentialType);
    sendDocument(req, res, 'application/json', doc.body, STATIC_DOCUMENT_MAX_AGE_S);
  });

  return r;
}
