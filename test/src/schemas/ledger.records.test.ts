import { describe } from 'mocha';
import { LEDGER_RECORD_FIXTURES } from './fixtures';
import { invalidFixtureSuite, validFixtureSuite } from './helpers';

describe('ledger records', () => {
  describe('valid', () => validFixtureSuite(LEDGER_RECORD_FIXTURES));
  describe('invalid (names the failing field)', () => invalidFixtureSuite(LEDGER_RECORD_FIXTURES));
});
