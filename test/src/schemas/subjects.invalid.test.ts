import { describe } from 'mocha';
import { SUBJECT_FIXTURES } from './fixtures';
import { invalidFixtureSuite } from './helpers';

describe('credential subjects: invalid inputs name the failing field', () => {
  invalidFixtureSuite(SUBJECT_FIXTURES);
});
