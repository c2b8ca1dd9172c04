// How a major incident's close-out is told: the summary its room gets once on resolve, and the post-incident draft
// as a markdown file (a chat upload) or as the path it was written to (the terminal).
import { formatDuration } from '../domain/duration.ts';
import { ackText, type CloseoutFigures, mitigateText } from '../domain/postmortem.ts';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';

/** The room's summary on resolve: duration, time to acknowledge and to mitigate, people, updates. */
export function closeoutReply(n: { ticketId: string; title: string; figures: CloseoutFigures }): Reply {
  const f = n.figures;
  const header = `${n.ticketId} is resolved: ${n.title}`;
  const fields = [
    { label: 'Duration', value: formatDuration(f.durationMs) },
    { label: 'Time to acknowledge', value: ackText(f) },
    { label: 'Time to mitigate', value: mitigateText(f) },
    { label: 'Stakeholder updates', value: String(f.updates) },
    { label: 'People involved', value: f.people.map((p) => p.name).join(', ') || '—' },
  ];
  return {
    text: [
      header,
      fields.map((x) => `${x.label}: ${x.value}`).join(' · '),
      `The post-incident draft: /incident postmortem ${n.ticketId}`,
    ].join('\n'),
    visibility: 'channel',
    header,
    fields,
    context: `The post-incident draft: /incident postmortem ${n.ticketId}`,
  };
}

/** The draft as a file for the channel asked in. */
export const postmortemFileReply = (n: { ticketId: string; name: string; markdown: string }): Reply => ({
  text: `Post-incident draft for ${n.ticketId}, written from its timeline (markdown)`,
  visibility: 'channel',
  file: {
    name: n.name,
    mime: 'text/markdown',
    alt: `Post-incident draft for ${n.ticketId}`,
    base64: Buffer.from(n.markdown, 'utf8').toString('base64'),
  },
});

export const INCIDENT_CLOSEOUT_NOTICES = registerNotices('incident_closeout', {
  summary: closeoutReply,
  postmortem: postmortemFileReply,
});
