// Shift swaps: one person proposes, the person asked accepts or declines once, and an accept becomes two overrides.
import { randomBytes } from 'node:crypto';
import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { shifts } from '../domain/oncall.ts';
import { swapAnsweredReply, swapAskedReply } from '../present/oncallNotice.ts';
import { formatTime } from '../present/time.ts';
import type { ShiftSwap, SwapAnswer, SwapRepository, SwapSpan } from '../store/swapStore.ts';
import type { Acting } from './acting.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { Team, TeamService } from './teams.ts';

export type { ShiftSwap } from '../store/swapStore.ts';

const DAY = 86_400_000;
/** How far ahead the person asked may have their next shift. */
const LOOK_AHEAD_DAYS = 60;
/** An unanswered proposal lapses after a day at most. */
const ANSWER_WITHIN_MS = DAY;
const SWAP_ID = /^sw-[0-9a-f]{10}$/;

export class SwapService {
  constructor(
    private readonly repo: SwapRepository,
    private readonly teams: TeamService,
    private readonly people: PeopleService,
    private readonly outbox: Outbox,
    private readonly timezone: string,
  ) {}

  /**
   * The proposer's shift containing `when` against the target's next shift (the first that starts after now);
   * the target is asked by DM with Accept / Decline.
   */
  async propose(acting: Acting, teamName: string, identity: string, when: Date): Promise<ShiftSwap> {
    const team = await this.teams.get(acting.tenant, teamName);
    const target = await this.people.personFor(acting.tenant, identity, acting.now);
    const me = acting.person;
    if (target.id === me.id) {
      throw UserError.of('ONCALL.SWAP_SELF', {}, 'Name someone else in the team.', 'person');
    }
    const member = team.members.find((m) => m.id === target.id);
    if (!member) {
      throw new UserError(
        'TEAM.NOT_A_MEMBER',
        `${target.name} is not in ${team.name}.`,
        `See who is with /team show ${team.name}.`,
        'person',
      );
    }
    const at = (d: Date) => formatTime(d, acting.now, acting.timezone);
    const give = this.shiftOf(team, me.id, when);
    if (!give) {
      throw new UserError(
        'ONCALL.SWAP_NO_SHIFT',
        `You are not on call for ${team.name} at ${at(when)} (${acting.timezone}), so there is no shift of yours to swap.`,
        `See the shifts with /oncall schedule ${team.name}.`,
        'when',
      );
    }
    if (give.to.getTime() <= acting.now.getTime()) {
      throw new UserError(
        'ONCALL.SWAP_NO_SHIFT',
        'That shift of yours is over already.',
        'Give a time in a coming shift.',
        'when',
      );
    }
    const take = this.teams
      .coming(team, acting.now, LOOK_AHEAD_DAYS)
      .find((s) => s.person === target.id && s.from.getTime() > acting.now.getTime());
    if (!take) {
      throw new UserError(
        'ONCALL.SWAP_NO_SHIFT',
        `${member.name} has no shift in ${team.name} starting in the next ${LOOK_AHEAD_DAYS} days to swap with.`,
        `See the shifts with /oncall schedule ${team.name}.`,
        'person',
      );
    }
    const swap: ShiftSwap = {
      _id: '',
      tenant: acting.tenant,
      team: team.name,
      proposer: me,
      target: member,
      give: { from: give.from, to: give.to },
      take: { from: take.from, to: take.to },
      proposedAt: acting.now,
      // A swap is of two whole future shifts: once either has started (or the proposer's is over) it lapses.
      expiresAt: new Date(
        Math.min(
          acting.now.getTime() + ANSWER_WITHIN_MS,
          take.from.getTime(),
          Math.max(give.to.getTime(), acting.now.getTime()),
        ),
      ),
    };
    for (;;) {
      swap._id = `sw-${randomBytes(5).toString('hex')}`;
      if (await this.repo.propose(swap)) break;
    }
    const zone = await this.zoneOf(acting.tenant, member);
    await this.outbox.toPerson(
      acting.tenant,
      member.id,
      swapAskedReply({ swap, now: acting.now, timezone: zone }),
      {},
      `swap:${swap._id}`,
    );
    return swap;
  }

  /** The person asked answers, once; anyone else, a second answer, an unknown or lapsed swap are refused. */
  async answer(acting: Acting, id: string, accept: boolean): Promise<{ swap: ShiftSwap; team: Team | null }> {
    const raw = id.trim().toLowerCase();
    const swap = SWAP_ID.test(raw) ? await this.repo.get(raw) : null;
    if (!swap || swap.tenant !== acting.tenant) {
      throw new UserError(
        'ONCALL.SWAP_UNKNOWN',
        `There is no shift swap ${JSON.stringify(id.slice(0, 20))}.`,
        'A swap is answered with the buttons on the message that proposed it.',
        'id',
      );
    }
    if (swap.target.id !== acting.person.id) {
      throw new UserError('PERMISSION.DENIED', `Only ${swap.target.name}, who was asked, can answer this swap.`);
    }
    // No read of an answer first: the answer's unique insert says whether one was given. A swap refused for another
    // reason (lapsed, its shifts moved) that was answered already is told so, as before.
    const refuse = async (err: unknown): Promise<never> => {
      const before = await this.repo.answerOf(swap._id);
      if (before) this.answeredAlready(before, acting);
      throw err;
    };
    if (acting.now.getTime() >= swap.expiresAt.getTime()) {
      return refuse(
        new UserError(
          'ONCALL.SWAP_EXPIRED',
          `This swap lapsed at ${formatTime(swap.expiresAt, acting.now, acting.timezone)}: a swap is answered within a day, before either shift starts.`,
          `${swap.proposer.name} can propose it again with /oncall swap.`,
        ),
      );
    }
    const answer: SwapAnswer = {
      _id: swap._id,
      answer: accept ? 'accepted' : 'declined',
      by: acting.person,
      at: acting.now,
    };
    const stillHolds = (t: Team) => this.mustStillHold(t, swap, acting.now);
    const holds = (t: Team) => {
      try {
        stillHolds(t);
        return true;
      } catch {
        return false;
      }
    };
    // The team as kept in process (behind the people epoch): the change below writes over its version, so a copy that
    // was stale fails that write and the change is made, and checked, on a fresh one.
    let held: Team | null = null;
    if (accept) {
      held = await this.teams.current(acting.tenant, swap.team);
      try {
        if (!held || !holds(held)) {
          // Refused only on a fresh copy (a kept one may be a second behind another process's change).
          held = await this.teams.get(acting.tenant, swap.team);
          stillHolds(held);
        }
      } catch (err) {
        return refuse(err);
      }
    }
    // The proposer is told in their zone, at their identities: both read before the team change (known here), which
    // moves the people epoch (after it they would be read again).
    const [zone, identities] = await Promise.all([
      this.zoneOf(acting.tenant, swap.proposer),
      this.people.identitiesOf(acting.tenant, swap.proposer.id),
    ]);
    if (!(await this.repo.answer(answer))) {
      return this.answeredAlready((await this.repo.answerOf(swap._id)) as SwapAnswer, acting);
    }
    let team: Team | null = null;
    if (accept) {
      try {
        team = await this.teams.swapShifts(
          acting,
          swap.team,
          [
            { person: swap.target, from: swap.give.from, to: swap.give.to },
            { person: swap.proposer, from: swap.take.from, to: swap.take.to },
          ],
          { read: held ?? undefined, check: stillHolds },
        );
      } catch (err) {
        await this.repo.withdraw(swap._id);
        throw err;
      }
    }
    await this.outbox.toIdentities(
      acting.tenant,
      identities,
      swapAnsweredReply({ swap, now: acting.now, timezone: zone, accepted: accept }),
      {},
      `swap:${swap._id}:answer`,
    );
    return { swap, team };
  }

  /** The unclipped shift of a person containing an instant (a month either side is plenty for any rotation). */
  private shiftOf(team: Team, personId: string, at: Date): SwapSpan | null {
    const all = shifts(
      this.teams.scheduleOf(team),
      new Date(at.getTime() - 31 * DAY),
      new Date(at.getTime() + 31 * DAY),
      1000,
    );
    return all.find((s) => s.person === personId && s.from <= at && at < s.to) ?? null;
  }

  /** An accept writes the swap the target was shown; a schedule changed since then is a new question. */
  private mustStillHold(team: Team, swap: ShiftSwap, now: Date): void {
    const mine = this.shiftOf(team, swap.proposer.id, new Date(Math.max(swap.give.from.getTime(), now.getTime())));
    const theirs = this.shiftOf(team, swap.target.id, swap.take.from);
    const same = (a: SwapSpan | null, b: SwapSpan) =>
      a !== null && a.from.getTime() === b.from.getTime() && a.to.getTime() === b.to.getTime();
    if (!same(mine, swap.give) || !same(theirs, swap.take)) {
      throw new UserError(
        'ONCALL.SWAP_STALE',
        `${swap.team}'s schedule changed since this swap was proposed; nothing was swapped.`,
        `${swap.proposer.name} can propose it again with /oncall swap.`,
      );
    }
  }

  private answeredAlready(a: SwapAnswer, acting: Acting): never {
    throw new UserError(
      'ONCALL.SWAP_ANSWERED',
      `This swap was ${a.answer} already, at ${formatTime(a.at, acting.now, acting.timezone)}.`,
    );
  }

  private async zoneOf(tenant: string, person: PersonRef): Promise<string> {
    return (await this.people.settingsOf(tenant, person.id)).timezone ?? this.timezone;
  }
}
