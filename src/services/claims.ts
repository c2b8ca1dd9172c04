// "Only once" for deliveries from platforms: a key claimed by a unique insert, given back when the work failed on our side.
import type { ClaimRepository } from '../store/deliveryStore.ts';

export class DeliveryClaims {
  constructor(private readonly repo: ClaimRepository) {}

  claim(key: string, at: Date): Promise<boolean> {
    return this.repo.claim(key, at);
  }

  release(key: string): Promise<void> {
    return this.repo.release(key);
  }

  /** Forgets claims made before `before` (scheduled maintenance); resolves with how many. */
  prune(before: Date): Promise<number> {
    return this.repo.prune(before);
  }
}
