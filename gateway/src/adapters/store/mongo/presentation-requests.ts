/** Presentation requests on MongoDB: the answer is one atomic update of the request's document. */
import type { PresentationRequestStore, Sealed, StoredPresentationRequest } from '../../../ports/store';
import type { MongoDb } from './db';
import { clean, instant } from './mappers';
import type { Models, PresentationRequestDoc } from './models';

const sealedOf = (s: Sealed): Sealed => ({ iv: s.iv, ct: s.ct, tag: s.tag, kek: s.kek });

function fromDoc(d: PresentationRequestDoc): StoredPresentationRequest {
  const { expiresTime: _t, verifierType, verifierId, request, answer, ...rest } = clean<PresentationRequestDoc>(d);
  return {
    ...rest,
    verifier: { type: verifierType, id: verifierId },
    // Kept as JSON text: a DCQL query's keys are not all names MongoDB accepts in a document.
    request: JSON.parse(request) as Record<string, unknown>,
    ...(answer ? { answer: sealedOf(answer) } : {}),
  };
}

export class MongoPresentationRequests implements PresentationRequestStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putPresentationRequest(r: StoredPresentationRequest): Promise<void> {
    this.db.check();
    // insertOne: an id already there is refused by the unique index.
    await this.m.PresentationRequest.create(
      clean<PresentationRequestDoc>({
        id: r.id,
        verifierType: r.verifier.type,
        verifierId: r.verifier.id,
        request: JSON.stringify(r.request),
        createdAt: r.createdAt,
        expiresAt: r.expiresAt,
        expiresTime: instant(r.expiresAt, 'presentation request expiry'),
      }),
    );
  }

  async getPresentationRequest(id: string): Promise<StoredPresentationRequest | undefined> {
    this.db.check();
    const d = await this.m.PresentationRequest.findOne({ id }).lean<PresentationRequestDoc>().exec();
    return d ? fromDoc(d) : undefined;
  }

  async countPendingPresentationRequests(now: string): Promise<number> {
    this.db.check();
    return this.m.PresentationRequest.countDocuments({
      answeredAt: { $exists: false },
      expiresTime: { $gt: instant(now, 'now') },
    }).exec();
  }

  async answerPresentationRequest(id: string, a: { answeredAt: string; answer: Sealed }): Promise<boolean> {
    this.db.check();
    // One document, one atomic update: of two concurrent answers, only one matches "not answered".
    const r = await this.m.PresentationRequest.updateOne(
      { id, answeredAt: { $exists: false }, expiresTime: { $gt: instant(a.answeredAt, 'now') } },
      { $set: { answeredAt: a.answeredAt, answer: sealedOf(a.answer) } },
    ).exec();
    return r.modifiedCount === 1;
  }
}
