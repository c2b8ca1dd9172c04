// How a major incident is told: the card in its room, role and status changes, a stakeholder update, the reminder that
// one is due, the roles and the timeline. At the terminal a room is a name printed before each of its lines.
import { formatDuration } from '../domain/duration.ts';
import type { IncidentRole, IncidentStatus, Severity } from '../domain/incident.ts';
import type { Reply } from './reply.ts';
import { formatTime } from './time.ts';

interface Named {
  name: string;
  identity?: string;
}

export interface IncidentView {
  ticketId: string;
  title: string;
  severity: Severity;
  service: string | null;
  status: IncidentStatus;
  roles: Record<IncidentRole, Named | null>;
  declaredAt: Date;
  room: { name: string; address: string | null };
}

/** A message for the room: prefixed with the room's name where no platform room exists (the terminal). */
export const forRoom = (i: IncidentView, reply: Reply): Reply =>
  i.room.address ? reply : { ...reply, text: `[#${i.room.name}] ${reply.text}` };
const sev = (i: IncidentView) => `SEV${i.severity}`;

export function incidentCardReply(i: IncidentView): Reply {
  const head = `${i.ticketId} · ${sev(i)} major incident · ${i.status} · ${i.title}`;
  const commander = i.roles.commander?.name ?? 'nobody';
  return {
    text: `${head}\nCommander: ${commander}${i.service ? ` · service ${i.service}` : ''}`,
    visibility: 'channel',
    header: head,
    fields: [
      { label: 'Status', value: i.status },
      { label: 'Commander', value: commander },
      ...(i.service ? [{ label: 'Service', value: i.service }] : []),
    ],
  };
}

/** What the declarer is told: the incident, and where its room is (or why there is none). */
export function declaredReply(
  i: IncidentView & { stakeholders: string | null },
  roomNote: string | null,
  cadenceMin: number,
  now: Date,
  tz: string,
): Reply {
  const due = formatTime(new Date(i.declaredAt.getTime() + cadenceMin * 60_000), now, tz);
  const room = i.room.address
    ? `Room: #${i.room.name}.`
    : `Room: #${i.room.name} (at the terminal: its lines are printed with its name).`;
  return {
    text: [
      `${i.ticketId} declared a ${sev(i)} major incident: ${i.title}. Commander: ${i.roles.commander?.name ?? 'nobody'}.`,
      room,
      ...(roomNote ? [roomNote] : []),
      ...(i.stakeholders ? [`Stakeholder updates also go to ${i.stakeholders}.`] : []),
      `First stakeholder update due ${due}: /incident update "<text>"`,
    ].join('\n'),
    visibility: 'ephemeral',
  };
}

export const roleChangedReply = (
  i: IncidentView,
  role: IncidentRole,
  who: Named,
  was: Named | null,
  by: Named,
): Reply => ({
  text: `${who.name} is now ${role} of ${i.ticketId}${was ? ` (was ${was.name})` : ''}, set by ${by.name}.`,
  visibility: 'channel',
  ...(who.identity ? { mentions: [who.identity] } : {}),
});

export const statusChangedReply = (i: IncidentView, from: IncidentStatus, what: string, by: Named): Reply => ({
  text: `${i.ticketId} is ${i.status} (was ${from}), by ${by.name}${what ? `: ${what}` : '.'}`,
  visibility: 'channel',
});

export function rolesReply(i: IncidentView): Reply {
  const lines = (['commander', 'comms', 'scribe'] as const).map((r) => `${r}: ${i.roles[r]?.name ?? '—'}`);
  return { text: [`${i.ticketId} roles`, ...lines].join('\n'), visibility: 'ephemeral', list: lines };
}

/** A stakeholder update: status, severity, commander, time since start and when the next one is due. */
export function updateReply(
  i: IncidentView,
  text: string,
  by: Named,
  now: Date,
  nextDue: Date | null,
  tz: string,
): Reply {
  const since = formatDuration(now.getTime() - i.declaredAt.getTime());
  const facts = [
    `Status: ${i.status}`,
    `Severity: ${sev(i)}`,
    `Commander: ${i.roles.commander?.name ?? 'nobody'}`,
    `Since start: ${since}`,
    `Next update: ${nextDue ? `by ${formatTime(nextDue, now, tz)} (${tz})` : 'none (resolved)'}`,
  ];
  const header = `Update on ${i.ticketId}: ${i.title}`;
  return {
    text: [header, text, facts.join(' · '), `(posted by ${by.name})`].join('\n'),
    visibility: 'channel',
    header,
    context: facts.join(' · '),
    // The words first: with fields, the platforms show `text` only in notifications, so the update is a field too.
    fields: [
      { label: `From ${by.name}`, value: text },
      ...facts.map((f) => {
        const [label, ...rest] = f.split(': ');
        return { label: label as string, value: rest.join(': ') };
      }),
    ],
    // Whoever reads it (a stakeholder channel, a subscriber's DM) may follow it from here.
    actions: [{ id: 'incident.subscribe', label: 'Subscribe', value: i.ticketId }],
  };
}

export const updateDueReply = (i: IncidentView, to: Named, dueAt: Date, now: Date, tz: string): Reply => ({
  text: `${to.name}: a stakeholder update on ${i.ticketId} was due ${formatTime(dueAt, now, tz)} (${tz}). Post one: /incident update "<what we know>"`,
  visibility: 'channel',
  ...(to.identity ? { mentions: [to.identity] } : {}),
});

export interface TimelineLine {
  at: Date;
  by: Named;
  kind: string;
  text: string;
}

/** The timeline in the reader's timezone, which it names. */
export function timelineReply(i: IncidentView, entries: readonly TimelineLine[], now: Date, tz: string): Reply {
  const lines = entries.map((e) => `${formatTime(e.at, now, tz)} · ${e.by.name} · ${e.kind} · ${e.text}`);
  return {
    text: [`${i.ticketId} timeline (${tz})`, ...lines.map((l) => `• ${l}`)].join('\n'),
    visibility: 'ephemeral',
    header: `${i.ticketId} timeline`,
    list: lines,
  };
}
