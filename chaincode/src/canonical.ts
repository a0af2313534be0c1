import canonicalize from 'canonicalize';

/** Canonical JSON (RFC 8785) bytes: the only way the contract writes state or events. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value) ?? 'null', 'utf8');
}
