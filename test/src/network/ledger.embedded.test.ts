/**
 * The Ledger contract suite on the embedded ledger: a fresh ledger in a temporary folder
 * per case, cutting blocks after 10 ms, with the registrar initialised and one issuer
 * registered.
 */
import { join } from 'node:path';
import { EmbeddedLedger } from '@anxin/network/embedded';
import { newRegistrar } from '../helpers/keys';
import { tempDir } from '../helpers/tmp';
import { ledgerContract, registerTestIssuer } from './ledger.contract';

ledgerContract('embedded', async () => {
  const ledger = await EmbeddedLedger.open(join(tempDir('ledger-contract'), 'ledger'), { batch: { timeoutMs: 10 } });
  const registrar = await newRegistrar();
  await ledger.submit('init', [registrar.initArgs]);
  const issuer = await registerTestIssuer(ledger, registrar);
  return { ledger, registrar, issuer, teardown: () => ledger.close() };
});
