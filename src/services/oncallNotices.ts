// What on-call says by itself in a team's channel: each handoff (who is on, who is off), and a daily coverage check.

import { addDays, instantOf, localParts } from '../domain/localTime.ts';
import { onCallAt } from '../domain/oncall.ts';
import { coverageReply, handoffReply } from '../present/oncallNotice.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import type { Team, TeamService } from './teams.ts';

export const HANDOFF_KIND = 'oncall.handoff';
export const COVERAGE_KIND = 'oncall.coverage';
/** The daily coverage check runs at this wall time in the team's zone (its first layer's, else the organisation's). */
const COVERAGE_TIME = '09:00';
const COVERAGE_DAYS = 14;
const MINUTE = 60_000;

export class OnCallNotices implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = {
    [HANDOFF_KIND]: (job, run) => this.runHandoff(job, run.now),
    [COVERAGE_KIND]: (job, run) => this.runCoverage(job, run.now),
  };

  constructor(
    private readonly teams: TeamService,
    private readonly jobs: JobRepository,
    private readonly outbox: Outbox,
    private readonly timezone: string,
  ) {}

  /**
   * After a team changes: its next handoff and its next coverage check are planned (each once, by id), at once: their
   * records go in one insert (the jobs' group commit), and so do their slots.
   */
  async planFor(team: Team, now: Date): Promise<void> {
    await Promise.all([this.planHandoff(team, now), this.planCoverage(team, now)]);
  }

  /** A handoff job: at its instant, if the person on call really changes there, the channel is told. */
  async runHandoff(job: Job, now: Date): Promise<string | undefined> {
    const { tenant, team: name } = job.payload as { tenant: string; team: string };
    const team = await this.teams.get(tenant, name).catch(() => null);
    if (!team) return 'team removed';
    await this.planHandoff(team, new Date(Math.max(now.getTime(), job.dueAt.getTime())));
    const before = onCallAt(this.teams.scheduleOf(team), new Date(job.dueAt.getTime() - 1));
    const after = this.teams.onCallIn(team, job.dueAt);
    if ((before?.person ?? null) === (after.answer?.person ?? null)) return 'no change (the schedule moved)';
    if (!team.channel) return 'no team channel';
    const zone = this.zoneOf(team);
    const off = before ? (team.members.find((m) => m.id === before.person)?.name ?? before.person) : null;
    const on = after.person?.name ?? after.answer?.person ?? null;
    const until = after.answer?.until ?? null;
    await this.outbox.toChannel(
      team.channel,
      handoffReply({ team: team.name, on, off, until, at: job.dueAt, timezone: zone }),
      { tenant },
      undefined,
      `handoff:${job._id}`,
    );
    return undefined;
  }

  /** The daily check: problems, if any, are posted in the team's channel; then tomorrow's is planned. */
  async runCoverage(job: Job, now: Date): Promise<string | undefined> {
    const { tenant, team: name } = job.payload as { tenant: string; team: string };
    const team = await this.teams.get(tenant, name).catch(() => null);
    if (!team) return 'team removed';
    await this.planCoverage(team, new Date(Math.max(now.getTime(), job.dueAt.getTime()) + MINUTE));
    const problems = await this.teams.coverageProblems(team, job.dueAt, COVERAGE_DAYS);
    if (problems.length === 0) return 'no problems';
    if (!team.channel) return 'no team channel';
    const zone = this.zoneOf(team);
    await this.outbox.toChannel(
      team.channel,
      coverageReply({ team: team.name, problems, days: COVERAGE_DAYS, at: job.dueAt, timezone: zone }),
      { tenant },
      undefined,
      `coverage:${job._id}`,
    );
    return undefined;
  }

  private async planHandoff(team: Team, from: Date): Promise<void> {
    const answer = onCallAt(this.teams.scheduleOf(team), from);
    // The next change: when the one on call stops, or (nobody on call) the next shift anyone has.
    const next = answer?.until ?? this.teams.coming(team, from, 60)[0]?.from;
    if (!next || next.getTime() <= from.getTime()) return;
    await this.add(
      team,
      HANDOFF_KIND,
      `handoff:${team.tenant}/${team.name.toLowerCase()}@${next.toISOString()}`,
      next,
      from,
    );
  }

  private async planCoverage(team: Team, from: Date): Promise<void> {
    const zone = this.zoneOf(team);
    const [h, m] = COVERAGE_TIME.split(':').map(Number) as [number, number];
    const day = localParts(from, zone);
    let at = instantOf({ year: day.year, month: day.month, day: day.day }, h, m, zone);
    if (at.getTime() <= from.getTime()) at = instantOf(addDays(day, 1), h, m, zone);
    await this.add(
      team,
      COVERAGE_KIND,
      `coverage:${team.tenant}/${team.name.toLowerCase()}@${at.toISOString()}`,
      at,
      from,
    );
  }

  private async add(team: Team, kind: string, id: string, dueAt: Date, now: Date): Promise<void> {
    await this.jobs.schedule({
      _id: id,
      tenant: team.tenant,
      kind,
      dueAt,
      payload: { tenant: team.tenant, team: team.name },
      createdAt: now,
      by: null,
      ticketId: null,
    });
  }

  private zoneOf(team: Team): string {
    return team.layers[0]?.timezone ?? this.timezone;
  }
}
