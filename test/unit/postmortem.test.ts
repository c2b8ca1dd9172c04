// The close-out figures and the post-incident draft, pure: from a timeline to the figures and the markdown, times in
// the zone asked for, across a DST change too.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import {
  type CloseoutEntry,
  type CloseoutIncident,
  closeoutFigures,
  postmortemDraft,
} from '../../src/domain/postmortem.ts';

const root = { id: 'p-root', name: 'root' };
const ada = { id: 'p-ada', name: 'ada' };
const zed = { id: 'p-zed', name: 'zed' };
const oncall = { id: 'switchboard-oncall', name: 'On-call' };

// Europe/London springs forward at 01:00 UTC on 2026-03-29: 00:40 GMT, then 02:00 BST.
const incident: CloseoutIncident = {
  ticketId: 'INC-7',
  title: 'VPN down | everyone',
  severity: 1,
  service: 'vpn',
  status: 'resolved',
  roles: { commander: ada, comms: zed, scribe: null },
  declaredBy: root,
  declaredAt: new Date('2026-03-29T00:40:00Z'),
  updates: 2,
};
const entry = (iso: string, by: typeof root, kind: string, text: string, status?: CloseoutEntry['status']) => ({
  at: new Date(iso),
  by,
  kind,
  text,
  ...(status ? { status } : {}),
});
const timeline: CloseoutEntry[] = [
  entry('2026-03-29T00:40:00Z', root, 'declared', 'declared SEV1 major incident, commander root'),
  entry('2026-03-29T00:41:00Z', oncall, 'page', 'paged the network team'),
  entry('2026-03-29T00:47:00Z', ada, 'ack', 'acknowledged'),
  entry('2026-03-29T00:50:00Z', root, 'role', 'ada is commander (was root)'),
  entry('2026-03-29T00:55:00Z', { id: 'p-bo', name: 'bo' }, 'subscribed', 'bo follows it'),
  entry(
    '2026-03-29T01:10:00Z',
    zed,
    'update',
    'failing over\nto the replica (investigating → monitoring)',
    'monitoring',
  ),
  entry('2026-03-29T01:30:00Z', ada, 'status', 'monitoring → resolved: replica promoted', 'resolved'),
];

describe('close-out figures', () => {
  it('measures from the declaration: acknowledged, mitigated at monitoring, resolved; people without bystanders', () => {
    const f = closeoutFigures(incident, timeline, new Date('2026-03-29T05:00:00Z'));
    expect(f).toMatchObject({
      durationMs: 50 * 60_000,
      ackMs: 7 * 60_000,
      paged: true,
      mitigateMs: 30 * 60_000,
      updates: 2,
    });
    expect(f.resolvedAt?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(f.people.map((p) => p.name)).toEqual(['root', 'ada', 'zed']);
  });

  it('mitigates at resolve when never monitoring; says "not paged" or "not acknowledged"; runs to now while open', () => {
    const noMonitoring = timeline.filter((e) => e.kind !== 'update' && e.kind !== 'page' && e.kind !== 'ack');
    const f = closeoutFigures(incident, noMonitoring, new Date('2026-03-29T05:00:00Z'));
    expect(f).toMatchObject({ mitigateMs: 50 * 60_000, ackMs: null, paged: false });
    expect(postmortemDraft(incident, noMonitoring, new Date('2026-03-29T05:00:00Z'), 'UTC')).toContain(
      '- Time to acknowledge: not paged',
    );
    const pagedOnly = timeline.filter((e) => e.kind !== 'ack');
    expect(postmortemDraft(incident, pagedOnly, new Date('2026-03-29T05:00:00Z'), 'UTC')).toContain(
      '- Time to acknowledge: not acknowledged',
    );
    const open = closeoutFigures(
      { ...incident, status: 'identified' },
      timeline.slice(0, 4),
      new Date('2026-03-29T01:40:00Z'),
    );
    expect(open).toMatchObject({ durationMs: 60 * 60_000, resolvedAt: null, mitigateMs: null });
  });
});

describe('the post-incident draft', () => {
  it('is markdown with the summary, impact, the timeline in the zone across the DST change, and empty headings', () => {
    const md = postmortemDraft(incident, timeline, new Date('2026-03-29T05:00:00Z'), 'Europe/London');
    expect(md.split('\n')).toEqual([
      '# Post-incident review: INC-7 VPN down | everyone',
      '',
      "_A draft written by Switchboard from the incident's timeline (times in Europe/London). Edit it freely._",
      '',
      '## Summary',
      '',
      'SEV1 major incident on vpn, declared 2026-03-29 00:40 by root, resolved 2026-03-29 02:30.',
      'Roles: commander: ada, comms: zed, scribe: —.',
      '',
      '- Duration: 50m',
      '- Time to acknowledge: 7m',
      '- Time to mitigate: 30m',
      '- Stakeholder updates: 2',
      '- People involved: root, ada, zed',
      '',
      '## Impact',
      '',
      'The vpn service was affected for 30m before it was mitigated, and the incident was resolved after 50m.',
      '',
      'What stakeholders were told, last first:',
      '',
      '- monitoring → resolved: replica promoted',
      '- failing over to the replica (investigating → monitoring)',
      '',
      '## Timeline (Europe/London)',
      '',
      '| Time | Who | Kind | What |',
      '|---|---|---|---|',
      '| 2026-03-29 00:40 | root | declared | declared SEV1 major incident, commander root |',
      '| 2026-03-29 00:41 | On-call | page | paged the network team |',
      '| 2026-03-29 00:47 | ada | ack | acknowledged |',
      '| 2026-03-29 00:50 | root | role | ada is commander (was root) |',
      '| 2026-03-29 02:10 | zed | update | failing over to the replica (investigating → monitoring) |',
      '| 2026-03-29 02:30 | ada | status | monitoring → resolved: replica promoted |',
      '',
      '## Contributing factors',
      '',
      '## What went well',
      '',
      '## Follow-up actions',
      '',
    ]);
  });

  it('keeps a pipe in a cell from splitting the table, and is the same for the same timeline', () => {
    const withPipe = [...timeline, entry('2026-03-29T01:31:00Z', zed, 'note', 'a | b')];
    const md = postmortemDraft(incident, withPipe, new Date('2026-03-29T05:00:00Z'), 'UTC');
    expect(md).toContain('| 2026-03-29 01:31 | zed | note | a \\| b |');
    expect(postmortemDraft(incident, withPipe, new Date('2026-03-29T05:00:00Z'), 'UTC')).toBe(md);
  });
});
