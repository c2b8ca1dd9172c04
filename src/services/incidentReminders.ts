// Update-due reminders of a major incident, on the job engine: a cadence after the last update (or the declaration) the
// commander, or comms when set, is reminded in the room, again each cadence, until an update is posted or it resolves.
import type { UpdateCadence } from '../domain/incident.ts';
import { updateDueReply } from '../present/incidentNotice.ts';
import type { Incident, IncidentRepository } from '../store/incidentStore.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';

export const INCIDENT_UPDATE_DUE_KIND = 'incident.update_due';

interface DuePayload {
  tenant: string;
  ticketId: string;
  /** Updates posted when this chain began: a later update starts a new chain, and this one stops. */
  updates: number;
  /** The k-th cadence after that update: 1, 2, … */
  k: number;
}

/** The job's id names the incident, the update it follows and the repeat: planning it twice plans it once. */
const jobIdOf = (p: DuePayload) => `incident-due:${p.tenant}/${p.ticketId}#u${p.updates}.${p.k}`;

export class IncidentReminders implements OwnsJobKinds {
  readonly jobKinds: JobKinds = { [INCIDENT_UPDATE_DUE_KIND]: (job, run) => this.runJob(job, run.now) };

  constructor(
    private readonly repo: IncidentRepository,
    private readonly jobs: JobRepository,
    private readonly toRoom: (
      incident: Incident,
      reply: ReturnType<typeof updateDueReply>,
      key: string,
    ) => Promise<void>,
    private readonly o: { cadence: UpdateCadence; timezone: string },
  ) {}

  /** After a declaration or an update: the first reminder of the chain that update starts (none once resolved). */
  async plan(incident: Incident): Promise<void> {
    if (incident.status === 'resolved') return;
    await this.schedule(incident, {
      tenant: incident.tenant,
      ticketId: incident.ticketId,
      updates: incident.updates,
      k: 1,
    });
  }

  async runJob(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as DuePayload;
    const incident = await this.repo.find(p.tenant, p.ticketId);
    if (!incident) return 'no such incident';
    if (incident.status === 'resolved') return 'resolved';
    if (incident.updates !== p.updates) return 'updated since';
    await this.schedule(incident, { ...p, k: p.k + 1 });
    const to = incident.roles.comms ?? incident.roles.commander;
    if (!to) return 'nobody to remind';
    // The room reads in the organisation's zone, which the line names.
    await this.toRoom(incident, updateDueReply(incident, to, job.dueAt, now, this.o.timezone), `job:${job._id}`);
    return undefined;
  }

  private async schedule(incident: Incident, p: DuePayload): Promise<void> {
    const minutes = this.o.cadence[incident.severity] * p.k;
    await this.jobs.schedule({
      _id: jobIdOf(p),
      tenant: p.tenant,
      kind: INCIDENT_UPDATE_DUE_KIND,
      dueAt: new Date(incident.lastUpdateAt.getTime() + minutes * 60_000),
      payload: { ...p } satisfies DuePayload,
      createdAt: incident.lastUpdateAt,
      by: null,
      ticketId: p.ticketId,
    });
  }
}
