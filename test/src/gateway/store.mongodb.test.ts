/**
 * The Store contract against MongoDB, when MONGODB_URI names a real server: a database of
 * its own per run, dropped afterwards. Without MONGODB_URI every test of the suite is
 * registered as skipped, under a title that says why: never a fake server.
 */
import { randomBytes } from 'node:crypto';
import { MongoStore } from '@anxin/gateway/store/mongodb';
import { storeContract } from './store/contract';

const uri = process.env.MONGODB_URI;

if (uri) {
  const dbName = `anxin_store_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  storeContract(
    `Store contract: MongoDB (${dbName})`,
    () => MongoStore.open(uri, { dbName }),
    async () => {
      const s = await MongoStore.open(uri, { dbName });
      try {
        await s.dropDatabase();
      } finally {
        await s.close();
      }
    },
  );
} else {
  storeContract(
    'Store contract: MongoDB (skipped: set MONGODB_URI to run against a real MongoDB server)',
    () => Promise.reject(new Error('unreachable: skipped')),
    async () => undefined,
    { skip: true },
  );
}
