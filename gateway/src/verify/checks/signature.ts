/**
 * signature: an allowed algorithm, a kid of the form `<issuer id>#<key id>` naming a
 * registered key of that algorithm, and a signature that verifies with it. A failure
 * here ends the verification: nothing unsigned is judged further.
 */
import { SIGNING_ALGS } from '@anxin/schemas';
import { STOP, type Fragment } from '../context';

const KEY_ID = /^[A-Za-z0-9_-]{43}$/;

export const signature: Fragment = async (c) => {
  const { r, parsed } = c;
  const alg = parsed.header.alg as string;
  const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : '';
  const hash = kid.lastIndexOf('#');
  const kidIssuer = hash > 0 ? kid.slice(0, hash) : '';
  const keyId = hash > 0 ? kid.slice(hash + 1) : '';
  if (!(SIGNING_ALGS as readonly string[]).includes(alg)) {
    r.fail('signature', 'alg_not_allowed', `alg ${alg} is not accepted; only ${SIGNING_ALGS.join(', ')}`);
    return STOP;
  }
  if (!kidIssuer || !KEY_ID.test(keyId)) {
    r.fail('signature', 'bad_kid', 'the header has no kid of the form <issuer id>#<key id>');
    return STOP;
  }
  const issuer = c.deps.issuer(kidIssuer);
  const key = issuer?.keys.find((k) => k.keyId === keyId);
  if (!issuer || !key) {
    const detail = issuer ? `issuer ${kidIssuer} has no key ${keyId}` : `no registered issuer ${kidIssuer}`;
    r.fail('signature', 'unknown_key', detail);
    return STOP;
  }
  if (key.alg !== alg) {
    r.fail('signature', 'alg_mismatch', `key ${kid} signs with ${key.alg}, not ${alg}`);
    return STOP;
  }
  const signed = parsed.format === 'vc+jwt' ? parsed.jws : parsed.issuerJwt;
  if (!(await c.verifySignature(signed, key.alg, key))) {
    r.fail('signature', 'bad_signature', `the signature does not verify with ${kid}`);
    return STOP;
  }
  c.issuer = issuer;
  c.key = key;
  c.kid = kid;
  c.signed = signed;
  r.pass('signature');
};
