import { describe } from 'mocha';
import { CREDENTIAL_FIXTURES } from './fixtures';
import { invalidFixtureSuite, validFixtureSuite } from './helpers';

describe('credential documents (W3C VC 2.0)', () => {
  describe('valid', () => validFixtureSuite(CREDENTIAL_FIXTURES));
  describe('invalid (names the failing field)', () => invalidFixtureSuite(CREDENTIAL_FIXTURES));
});
