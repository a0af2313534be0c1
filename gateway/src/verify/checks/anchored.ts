/** anchored: the ledger holds an anchor under the credential's id. */
import type { Fragment } from '../context';

export const anchored: Fragment = ({ r, anchor, facts }) => {
  if (anchor) r.pass('anchored');
  else r.fail('anchored', 'not_anchored', `credential ${facts.id} is not anchored on the ledger`);
};
