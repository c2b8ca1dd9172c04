// Scheduled reviews: one small document each (paused, removed are updates on a collection that stays small).

import type { Connection, mongo } from 'mongoose';
import type { Review } from '../domain/review.ts';
import { isDuplicateKey as isDuplicate } from './insertOnce.ts';

export type { Review } from '../domain/review.ts';

const keyOf = (tenant: string, reviewId: string) => `${tenant}/${reviewId}`;

export class ReviewRepository {
  private readonly reviews: mongo.Collection<Review & { _id: string }>;
  private readonly numbers: mongo.Collection<{ _id: string }>;
  private readonly next = new Map<string, number>();

  constructor(connection: Connection) {
    this.reviews = connection.collection('reviews');
    this.numbers = connection.collection('review_numbers');
  }

  /** Numbers the review (RV-n, by unique insert) and stores it. */
  async add(r: Omit<Review, 'reviewId'>): Promise<Review> {
    let n = this.next.get(r.tenant) ?? 1;
    for (;;) {
      try {
        await this.numbers.insertOne({ _id: `${r.tenant}#${n}` });
        break;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        n++;
      }
    }
    this.next.set(r.tenant, n + 1);
    const review: Review = { ...r, reviewId: `RV-${n}` };
    await this.reviews.insertOne({ _id: keyOf(r.tenant, review.reviewId), ...review });
    return review;
  }

  async find(tenant: string, reviewId: string): Promise<Review | null> {
    const doc = await this.reviews.findOne({ _id: keyOf(tenant, reviewId) });
    if (!doc) return null;
    const { _id, ...r } = doc;
    return r;
  }

  async list(tenant: string): Promise<Review[]> {
    const docs = await this.reviews.find({ tenant, removed: false }).toArray();
    return docs.map(({ _id, ...r }) => r).sort((a, b) => Number(a.reviewId.slice(3)) - Number(b.reviewId.slice(3)));
  }

  /** Every review still running, in every tenant (the collection holds reviews, not runs: it stays small). */
  async active(): Promise<Review[]> {
    const docs = await this.reviews.find({ removed: false, paused: false }).toArray();
    return docs.map(({ _id, ...r }) => r);
  }

  async set(tenant: string, reviewId: string, set: Partial<Pick<Review, 'paused' | 'removed'>>): Promise<void> {
    await this.reviews.updateOne({ _id: keyOf(tenant, reviewId) }, { $set: set });
  }
}
