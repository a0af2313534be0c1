import { describe } from 'mocha';
import { API_FIXTURES } from './fixtures';
import { invalidFixtureSuite, validFixtureSuite } from './helpers';

describe('HTTP API request bodies', () => {
  describe('valid', () => validFixtureSuite(API_FIXTURES));
  describe('invalid (names the failing field)', () => invalidFixtureSuite(API_FIXTURES));
});
