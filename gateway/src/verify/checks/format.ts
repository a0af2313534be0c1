/**
 * format, first half: what was presented is a vc+jwt or an SD-JWT (or a QR text wrapping
 * one) whose header and payload are JSON. Its disclosures are judged only once the
 * signature is known good (./payload.ts), and may still fail the format then.
 */
import { STOP, type Fragment } from '../context';
import { factsOfSdJwt, factsOfVc } from '../facts';
import { parseCredential } from '../parse';

export const format: Fragment = (c) => {
  const parsed = parseCredential(c.input);
  if ('error' in parsed) {
    c.r.fail('format', parsed.error, parsed.detail);
    return STOP;
  }
  c.parsed = parsed;
  c.facts = parsed.format === 'vc+jwt' ? factsOfVc(parsed.payload) : factsOfSdJwt(parsed.payload);
  c.r.pass('format');
};
