// The review kinds: one module each in this folder, listed here once. `/review add --kind`, its choices, the
// checks, the runs and `/review show` all read this list; a name listed twice is refused at load.
import { change } from './change.ts';
import { digest } from './digest.ts';
import type { ReviewKind } from './kind.ts';
import { pir } from './pir.ts';
import { reminder } from './reminder.ts';
import { serviceReview } from './serviceReview.ts';
import { sla } from './sla.ts';
import { stale } from './stale.ts';

export type { NewReview, ReviewKind, ReviewKindServices, ReviewPost } from './kind.ts';

/** In the order `/help` and Discord offer them; the first is the default. */
const KINDS: readonly ReviewKind[] = [reminder, change, digest, pir, stale, sla, serviceReview];

const byName = new Map<string, ReviewKind>();
for (const kind of KINDS) {
  if (byName.has(kind.name)) throw new Error(`reviews: the review kind ${kind.name} is listed twice`);
  byName.set(kind.name, kind);
}

export const DEFAULT_REVIEW_KIND = reminder.name;
/** The kinds `--kind` offers. */
export const REVIEW_KINDS: readonly string[] = KINDS.filter((k) => !k.refusal && !k.notYet).map((k) => k.name);
/** The kinds `--kind` reads but does not offer: each is refused with its reason. */
export const UNLISTED_REVIEW_KINDS: readonly string[] = KINDS.filter((k) => k.refusal || k.notYet).map((k) => k.name);
/** The kinds that take `--days`. */
export const KINDS_WITH_DAYS: readonly string[] = KINDS.filter((k) => k.readDays).map((k) => k.name);

export const reviewKind = (name: string): ReviewKind | undefined => byName.get(name);
export { digestArgs } from './digest.ts';
