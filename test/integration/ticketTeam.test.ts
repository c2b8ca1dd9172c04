// /ticket new --team on the real database: an unknown team is refused, the team is shown on the card and in
// /ticket show, and a P1/P2 incident pages the team it names (unless a team owns its service).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let terminal: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await bot.jobs.drained();
    await bot.core.settled();
    await bot.services.outbox.drained();
  }
};
const pagesAbout = (id: string) =>
  terminal.calls
    .filter((c) => c.op === 'dm' && c.reply.text.startsWith('PAGE') && c.reply.text.includes(` ${id} `))
    .map((c) => c.channel);

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  terminal = recordingSender('console');
  bot.core.registerSender(terminal);
  for (const who of ['ann', 'bob']) ok(await personAt(bot.core, who)('/help'));
  ok(await root('/team create storage --channel console'));
  ok(await root('/oncall rotation storage @ann --every 1w'));
  ok(await root('/team create network --channel console --services vpn'));
  ok(await root('/oncall rotation network @bob --every 1w'));
});
afterAll(async () => {
  await bot?.close();
});

describe('/ticket new --team', () => {
  it('refuses a team that does not exist, and opens nothing', async () => {
    const before = await bot.db.connection.collection('tickets').countDocuments();
    const r = await root('/ticket new "Printer jam" --team nosuch');
    expect(r.error).toBe('TEAM.NOT_FOUND');
    expect(r.text).toContain('There is no team "nosuch" here.');
    expect(await bot.db.connection.collection('tickets').countDocuments()).toBe(before);
  });

  it('shows the team on the card and in /ticket show', async () => {
    const card = ok(await root('/ticket new "Slow backups" --team Storage'));
    const id = card.card?.ticketId as string;
    expect(card.fields).toContainEqual({ label: 'Team', value: 'storage', inline: true });
    expect(card.text).toContain(' · team storage · ');
    const shown = ok(await root(`/ticket show ${id}`));
    expect(shown.fields).toContainEqual({ label: 'Team', value: 'storage', inline: true });
    expect(shown.text.split('\n')[0]).toContain(' · team storage · ');
  });

  it('pages the team a P1/P2 incident names, and not a P3', async () => {
    const p1 = ok(await root('/ticket new "Backups failing" --team storage --priority P1')).card?.ticketId as string;
    const p3 = ok(await root('/ticket new "Backups a bit slow" --team storage --priority P3')).card?.ticketId as string;
    clock = new Date(clock.getTime() + 30_000);
    await settle();
    expect(pagesAbout(p1)).toEqual(['ann']);
    expect(pagesAbout(p3)).toEqual([]);
    ok(await root(`/oncall ack ${p1}`));
  });

  it('pages the team owning the service, not the one named, when a team owns it', async () => {
    const id = ok(await root('/ticket new "VPN down" --team storage --service vpn --priority P1')).card
      ?.ticketId as string;
    clock = new Date(clock.getTime() + 30_000);
    await settle();
    expect(pagesAbout(id)).toEqual(['bob']);
    ok(await root(`/oncall ack ${id}`));
  });
});
