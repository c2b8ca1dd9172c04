// Shift swaps: each proposal insert-only and read by `_id`; its answer a unique insert under the same `_id`.
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import { insertOnce } from './insertOnce.ts';

export interface SwapSpan {
  from: Date;
  to: Date;
}

export interface ShiftSwap {
  _id: string;
  tenant: string;
  team: string;
  proposer: PersonRef;
  /** The person asked: the only one who may answer. */
  target: PersonRef;
  /** The proposer's shift, which the target would cover. */
  give: SwapSpan;
  /** The target's next shift, which the proposer would cover. */
  take: SwapSpan;
  proposedAt: Date;
  expiresAt: Date;
}

export interface SwapAnswer {
  _id: string;
  answer: 'accepted' | 'declined';
  by: PersonRef;
  at: Date;
}

export class SwapRepository {
  private readonly swaps: mongo.Collection<ShiftSwap>;
  private readonly answers: mongo.Collection<SwapAnswer>;

  constructor(connection: Connection) {
    this.swaps = connection.collection('oncall_swaps');
    this.answers = connection.collection('oncall_swap_answers');
  }

  propose(swap: ShiftSwap): Promise<boolean> {
    return insertOnce(this.swaps, swap);
  }

  get(id: string): Promise<ShiftSwap | null> {
    return this.swaps.findOne({ _id: id });
  }

  answerOf(id: string): Promise<SwapAnswer | null> {
    return this.answers.findOne({ _id: id });
  }

  /** False when the swap was answered already (another press, another process). */
  answer(a: SwapAnswer): Promise<boolean> {
    return insertOnce(this.answers, a);
  }

  /** Takes an accept back when its overrides could not be written, so the person can press again. */
  async withdraw(id: string): Promise<void> {
    await this.answers.deleteOne({ _id: id });
  }
}
