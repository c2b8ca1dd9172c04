// The auditor of escalations: steps more than two minutes overdue are reported (log, metric, team channel) and
// planned again, so a silent escalation heals itself.
import { pageLateReply } from '../present/pageNotice.ts';
import type { LiveEscalation } from '../store/pageStore.ts';
import type { PagingCore } from './pagingCore.ts';
import { OVERDUE_MS, pageJobId } from './pagingPlan.ts';

export class PageAuditor {
  /** Step jobs this process has filed again (see `repair`). */
  private readonly refiled = new Set<string>();

  constructor(private readonly c: PagingCore) {}

  /**
   * Steps more than two minutes overdue, reported once each (log, metric, team channel). Reads only the live
   * escalations, which finished ones leave.
   */
  async audit(now: Date): Promise<Array<{ tenant: string; ticketId: string; lateMs: number }>> {
    const late = (await this.c.repo.allLive())
      .filter((e) => e.pending && now.getTime() - e.pending.dueAt.getTime() > OVERDUE_MS)
      .map((e) => ({ e, lateMs: now.getTime() - (e.pending as { dueAt: Date }).dueAt.getTime() }));
    this.c.o.onOverdue?.(late.length);
    for (const { e, lateMs } of late) {
      const { index } = e.pending as { index: number };
      this.c.o.log.warn(
        { tenant: e.tenant, ticketId: e.ticketId, step: index, lateMs },
        'paging: an escalation step is overdue',
      );
      await this.repair(e, now).catch((err) =>
        this.c.o.log.error({ err, ticketId: e.ticketId }, 'paging: an overdue step could not be planned again'),
      );
      const team = e.team ? await this.c.teams.get(e.tenant, e.team).catch(() => null) : null;
      if (team?.channel) {
        await this.c.outbox.toChannel(
          team.channel,
          pageLateReply({ ticketId: e.ticketId, lateMs }),
          { tenant: e.tenant, ticketId: e.ticketId },
          undefined,
          `page-overdue:${e.tenant}/${e.ticketId}@${e.gen}#${index}`,
        );
      }
    }
    return late.map(({ e, lateMs }) => ({ tenant: e.tenant, ticketId: e.ticketId, lateMs }));
  }

  /**
   * An overdue step is planned again, so a silent escalation heals itself: its job was never written (the
   * starter died between the live record and the job), or never filed under its minute, or it ended without
   * paging (failed, or found after the catch-up period). The step's own fencing keeps it from paging twice.
   */
  private async repair(e: LiveEscalation, now: Date): Promise<void> {
    const { jobs } = this.c;
    const pending = e.pending as { index: number; dueAt: Date };
    const id = pageJobId(e.tenant, e.ticketId, e.gen, pending.index, e.episode ?? 0);
    await this.c.repo.restore(e);
    const job = await jobs.get({ _id: id, dueAt: pending.dueAt });
    // No record: never written (the starter died), or an episode's first step, filed as a slot only. Its end says
    // which: none, and it is planned (again: filed twice, it still runs once, its claim decides; recorded now, so the
    // next audit refiles it at most once per process, below).
    const end = await jobs.endOf(job ?? { _id: id, dueAt: pending.dueAt });
    if (!job && !end) {
      await this.c.planStep(e, pending.index, pending.dueAt, now);
      return;
    }
    if (!end) {
      // Once per process: a job this process filed again is in the engine's hands (an engine that is merely
      // behind would otherwise get another slot for it every minute).
      if (!this.refiled.has(id)) {
        this.refiled.add(id);
        if (this.refiled.size > 10_000) this.refiled.delete(this.refiled.values().next().value as string);
        if (job) await jobs.refile(job, now);
      }
      return;
    }
    if (end.outcome === 'failed' || end.outcome === 'missed') {
      // A retry of its own (the ended job is never run again), due now, once per audit minute at most.
      await this.c.planStep(e, pending.index, now, now, `${id}~retry@${now.toISOString().slice(0, 16)}`);
    }
  }
}
