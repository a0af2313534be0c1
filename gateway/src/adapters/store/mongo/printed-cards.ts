/** Printed work cards on MongoDB: one document each, the secret's hash only. */
import type { PrintedCardRecord, PrintedCardStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { clean } from './mappers';
import type { Models, PrintedCardDoc } from './models';

export class MongoPrintedCards implements PrintedCardStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putPrintedCard(r: PrintedCardRecord): Promise<void> {
    this.db.check();
    // insertOne, not an upsert: an id already there is refused by the unique index.
    await this.m.PrintedCard.create(clean<PrintedCardDoc>({ ...r, disclose: [...r.disclose] }));
  }

  async getPrintedCard(id: string): Promise<PrintedCardRecord | undefined> {
    this.db.check();
    const d = await this.m.PrintedCard.findOne({ id }).lean<PrintedCardDoc>().exec();
    return d ? clean<PrintedCardRecord>({ ...d, disclose: [...d.disclose] }) : undefined;
  }

  async revokePrintedCard(id: string, at: string): Promise<boolean> {
    this.db.check();
    const found = await this.m.PrintedCard.findOne({ id }).lean<PrintedCardDoc>().exec();
    if (!found) return false;
    // Only the first withdrawal's time is kept.
    await this.m.PrintedCard.updateOne({ id, revokedAt: { $exists: false } }, { $set: { revokedAt: at } }).exec();
    return true;
  }
}
