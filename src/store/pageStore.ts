// Escalations: the live ones (small, one document each, removed when they end), their acks, starts and episode ends (insert-only).
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { EscalationPolicy } from '../domain/escalation.ts';
import { insertOnce } from './insertOnce.ts';
import { findByIds } from './serverProfile.ts';

/** One escalation while it runs. `gen` is its fencing token: a step job of another generation does nothing. */
export interface LiveEscalation {
  tenant: string;
  /** The ticket it pages for: one escalation per ticket. */
  ticketId: string;
  /** The team whose policy, schedule and channel it uses; null for a page of one person. */
  team: string | null;
  policy: EscalationPolicy;
  /** When the first page went out (MTTA counts from here). */
  startedAt: Date;
  gen: number;
  /** The policy level this generation's plan starts at (escalate now moves it on). */
  fromLevel: number;
  /** When this generation's plan starts. */
  genStartedAt: Date;
  /** The step planned next, and when it is due: what the auditor checks. */
  pending: { index: number; dueAt: Date } | null;
  /** The policy level paged last (null: none yet): escalate now goes to the one after. */
  lastLevel: number | null;
  message: string | null;
  /**
   * Which episode of the ticket it pages for: 0 until the ticket is first resolved, 1 after it is reopened, and so
   * on. A resolve ends the episode; a reopened incident raised to P1/P2 again is paged again, once per episode.
   * Records written before episodes existed have none: episode 0.
   */
  episode?: number;
}

export interface PageAck {
  tenant: string;
  ticketId: string;
  by: PersonRef;
  at: Date;
  platform: string;
  mttaMs: number;
}

type LiveDoc = LiveEscalation & { _id: string };
type AckDoc = PageAck & { _id: string };
const liveKey = (tenant: string, ticketId: string) => `${tenant}/${ticketId}`;
/** Episode 0 keeps the key it had before episodes existed. */
const episodeKey = (tenant: string, ticketId: string, episode: number) =>
  episode === 0 ? liveKey(tenant, ticketId) : `${liveKey(tenant, ticketId)}#${episode}`;

/** More episodes than this (a ticket reopened and re-raised forty times) is not probed further: the last one pages. */
const MAX_EPISODES = 40;
/** Episodes whose start and end are asked in one `$in` read: a ticket reopened more often reads again. */
const EPISODES_AT_ONCE = 4;

/** What a ticket's page starts and episode ends say, from one read (see `PageRepository.episodes`). */
export interface Episodes {
  /** The current episode: the first not ended by a resolve. */
  current: number;
  /** Whether the current episode's escalation started. */
  started: boolean;
  /** Whether episode 0's escalation ever started (no later one starts before it). */
  everStarted: boolean;
  /** When each episode read here started (the current one's, if it did, among them): no second read for it. */
  startedAt: ReadonlyMap<number, Date>;
}

/**
 * `page_live` holds only running escalations (the auditor reads it whole every minute, so it must stay small);
 * `page_starts` (a start per episode, and `closed:` when a resolve ended the episode) and `page_acks` are only
 * inserted into and read by `_id`.
 */
export class PageRepository {
  private readonly live: mongo.Collection<LiveDoc>;
  private readonly starts: mongo.Collection<{ _id: string; at: Date }>;
  private readonly acks: mongo.Collection<AckDoc>;

  constructor(connection: Connection) {
    this.live = connection.collection<LiveDoc>('page_live');
    this.starts = connection.collection('page_starts');
    this.acks = connection.collection<AckDoc>('page_acks');
  }

  /**
   * The ticket's episodes as one answer: the current one, whether it started, whether the first ever did. One `$in`
   * read by `_id` (served by the index on MongoDB and the patched FerretDB) of the first episodes' starts and ends;
   * one more per four episodes for a ticket reopened that often. The current episode is the first not ended by a
   * resolve.
   */
  async episodes(tenant: string, ticketId: string): Promise<Episodes> {
    let everStarted = false;
    const startedAt = new Map<number, Date>();
    for (let from = 0; from < MAX_EPISODES; from += EPISODES_AT_ONCE) {
      const ns = Array.from({ length: Math.min(EPISODES_AT_ONCE, MAX_EPISODES - from) }, (_, k) => from + k);
      const ids = ns.flatMap((n) => [episodeKey(tenant, ticketId, n), `closed:${episodeKey(tenant, ticketId, n)}`]);
      const found = new Map((await findByIds(this.starts, ids, { _id: 1, at: 1 })).map((d) => [d._id, d.at]));
      for (const n of ns) {
        const at = found.get(episodeKey(tenant, ticketId, n));
        if (at) startedAt.set(n, at);
      }
      if (from === 0) everStarted = startedAt.has(0);
      for (const n of ns) {
        if (!found.has(`closed:${episodeKey(tenant, ticketId, n)}`)) {
          return { current: n, started: startedAt.has(n), everStarted, startedAt };
        }
      }
    }
    const at = await this.startedAt(tenant, ticketId, MAX_EPISODES);
    if (at) startedAt.set(MAX_EPISODES, at);
    return { current: MAX_EPISODES, started: at !== null, everStarted, startedAt };
  }

  /** A resolve ends the episode (once: a second resolve, or two processes hearing it, add nothing). */
  closeEpisode(tenant: string, ticketId: string, episode: number, at: Date): Promise<boolean> {
    return insertOnce(this.starts, { _id: `closed:${episodeKey(tenant, ticketId, episode)}`, at });
  }

  /**
   * Starts the episode's escalation, once: `started` for the one caller that does. The live record goes first, so a
   * process that dies right after leaves a step the auditor finds overdue and plans again (`restore`); the start, an
   * insert into a unique index, is the "only once": refused, the episode was paged before, and this live record goes.
   * A starter may be run again (an episode's start job, taken over after its process died): a live record already
   * there that is this very escalation (its episode, its start, generation 0) is an earlier run's, `resumed` (its
   * start insert made again, refused or not); another live record, or a start refused, is `refused`.
   */
  async startOrResume(e: LiveEscalation, o: { notStarted?: boolean } = {}): Promise<'started' | 'resumed' | 'refused'> {
    const episode = e.episode ?? 0;
    // The read only spares a live record written and taken back; `notStarted` (a ticket just opened, or the episode's
    // start read already by the caller) skips it.
    if (!o.notStarted && (await this.startedAt(e.tenant, e.ticketId, episode))) return 'refused';
    if (!(await insertOnce(this.live, { _id: liveKey(e.tenant, e.ticketId), ...e }))) {
      const there = await this.find(e.tenant, e.ticketId);
      const same =
        there !== null &&
        (there.episode ?? 0) === episode &&
        there.gen === e.gen &&
        there.startedAt.getTime() === e.startedAt.getTime();
      if (!same) return 'refused';
      await this.restore(e);
      return 'resumed';
    }
    if (await insertOnce(this.starts, { _id: episodeKey(e.tenant, e.ticketId, episode), at: e.startedAt })) {
      return 'started';
    }
    await this.live.deleteOne({ _id: liveKey(e.tenant, e.ticketId), startedAt: e.startedAt, gen: e.gen });
    return 'refused';
  }

  /** The start of a live escalation whose starter died before writing it (the auditor's repair). */
  async restore(e: LiveEscalation): Promise<void> {
    await insertOnce(this.starts, { _id: episodeKey(e.tenant, e.ticketId, e.episode ?? 0), at: e.startedAt });
  }

  async find(tenant: string, ticketId: string): Promise<LiveEscalation | null> {
    const doc = await this.live.findOne({ _id: liveKey(tenant, ticketId) });
    if (!doc) return null;
    const { _id, ...e } = doc;
    return e;
  }

  /** Every running escalation (few: finished ones are removed). */
  async allLive(): Promise<LiveEscalation[]> {
    return (await this.live.find({}).toArray()).map(({ _id, ...e }) => e);
  }

  /**
   * Writes the escalation over the generation read; false when another generation (or a newer episode, which
   * started at another time) replaced it.
   */
  async save(e: LiveEscalation, readGen: number): Promise<boolean> {
    const r = await this.live.replaceOne(
      { _id: liveKey(e.tenant, e.ticketId), gen: readGen, startedAt: e.startedAt },
      e,
    );
    return r.matchedCount === 1;
  }

  /**
   * Ends the live record of an episode that is over (a resolve's or a close's teardown), with no read: one delete,
   * which leaves alone the live record of a later episode (a teardown heard late, after a reopen paged again). An
   * earlier episode's record left behind (a teardown cut short) goes too: it would refuse the next start.
   */
  async endUpTo(tenant: string, ticketId: string, episode: number): Promise<void> {
    await this.live.deleteOne({
      _id: liveKey(tenant, ticketId),
      // Records written before episodes existed have none: episode 0.
      $or: [{ episode: { $lte: episode } }, { episode: { $exists: false } }],
    });
  }

  /** Ends the live record; given when it started, only that one (a newer episode's is left alone). */
  async end(tenant: string, ticketId: string, startedAt?: Date): Promise<void> {
    await this.live.deleteOne({ _id: liveKey(tenant, ticketId), ...(startedAt ? { startedAt } : {}) });
  }

  /** The one ack of an episode's escalation: false when it was acknowledged already. */
  ack(a: PageAck, episode: number): Promise<boolean> {
    return insertOnce(this.acks, { _id: `ack:${episodeKey(a.tenant, a.ticketId, episode)}`, ...a });
  }

  async ackOf(tenant: string, ticketId: string, episode: number): Promise<PageAck | null> {
    const doc = await this.acks.findOne({ _id: `ack:${episodeKey(tenant, ticketId, episode)}` });
    if (!doc) return null;
    const { _id, ...a } = doc;
    return a;
  }

  /** When the episode's escalation started, live or over; null when it never was. */
  async startedAt(tenant: string, ticketId: string, episode: number): Promise<Date | null> {
    return (await this.starts.findOne({ _id: episodeKey(tenant, ticketId, episode) }))?.at ?? null;
  }
}
