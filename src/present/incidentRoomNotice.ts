// How a major incident's room is told: the line linking to it where the incident came from, the room's topic, what
// the declarer is told when it opened (or why not), and a pinned message on the timeline.
import type { IncidentView } from './incidentNotice.ts';
import type { Reply } from './reply.ts';

/** The one line posted where the incident came from, pointing at its room. */
export const roomLinkReply = (i: IncidentView, name: string, link: string): Reply => ({
  text: `${i.ticketId} is a SEV${i.severity} major incident: ${i.title}. Its room: #${name} ${link}`,
  visibility: 'channel',
});

/** The room's topic: status and commander, kept short (Slack allows 250 characters). */
export const roomTopic = (i: IncidentView): string =>
  `${i.ticketId} SEV${i.severity} · ${i.status} · commander ${i.roles.commander?.name ?? 'nobody'}`.slice(0, 250);

/** Told to the declarer beside the declaration. */
export const roomOpenedNote = (name: string, link: string, notes: readonly string[]): string =>
  [`The room is open: #${name} ${link}`, ...notes.map((n) => `Note: ${n}.`)].join('\n');

export const roomRefusedNote = (platform: string, reason: string): string =>
  `No room was opened on ${platform}: ${reason}. The incident works without one: its lines go to the channel it was declared in.`;

/** What a 📌 puts on the timeline: the message's words (its author when the platform says). */
export const pinnedText = (text: string, author: string | undefined): string =>
  `📌 ${author ? `${author}: ` : ''}${text.replace(/\s+/g, ' ').trim().slice(0, 900)}`;

export const pinnedReply = (ticketId: string, first: boolean): Reply => ({
  text: first ? `📌 On ${ticketId}'s timeline.` : `That message is on ${ticketId}'s timeline already.`,
  visibility: 'ephemeral',
});
