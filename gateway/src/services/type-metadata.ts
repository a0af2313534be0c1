/**
 * The SD-JWT VC Type Metadata documents this gateway serves, as the exact bytes it serves
 * them, and their SRI integrity (`sha256-<base64>`), which each SD-JWT VC signs as
 * `vct#integrity`: a verifier that fetches the `vct` can tell the document is the one the
 * issuer meant. Made once per public URL and type: the documents change only with the code.
 */
import { createHash } from 'node:crypto';
import { typeMetadata, vctOf, type CredentialType } from '@anxin/schemas';
import type { VctRef } from './credentials/formats';

const served = new Map<string, { body: string; integrity: string }>();

/**
 * The served bytes of `type`'s Type Metadata under `publicUrl`, and their integrity.
 *
 * @example
 * const { body, integrity } = typeMetadataDocument(s.publicUrl, 'HealthCertificate');
 */
export function typeMetadataDocument(publicUrl: string, type: CredentialType): { body: string; integrity: string } {
  const key = `${publicUrl} ${type}`;
  let doc = served.get(key);
  if (!doc) {
    const body = JSON.stringify(typeMetadata(publicUrl, type));
    doc = { body, integrity: `sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}` };
    served.set(key, doc);
  }
  return doc;
}

/** The `vct` and `vct#integrity` an SD-JWT VC of `type` carries. */
export function vctRefOf(publicUrl: string, type: CredentialType): VctRef {
  return { vct: vctOf(publicUrl, type), integrity: typeMetadataDocument(publicUrl, type).integrity };
}
