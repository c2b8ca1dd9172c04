// Round trips per chat command, counted on the wire (the driver's own command events), on the real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RollupRepository } from '../../src/store/rollupStore.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

/**
 * What each command may cost today on the embedded database (measured; `npm run bench -- roundtrips` prints the
 * same). Lowering a figure is progress: lower the budget with it. The aim is 6 for every one of them;
 * docs/storage.md says what the commands still above it send, and why.
 */
const BUDGET: Record<string, number> = {
  // The number, the page, the open ticket, the `opened` fact, the SLA's first job (a slot only: nothing reads its
  // record by id).
  '/ticket new': 5,
  // The catalog is kept in process while the tenant's people epoch stands: a ticket on a service costs no more.
  '/ticket new --service': 5,
  '/ticket show': 1,
  '/ticket list': 1,
  // A change is its page (the version's claim on FerretDB) and the ticket update; then the next card slot.
  '/ticket assign': 3,
  '/ticket comment': 3,
  // A plain resolve (a P3 incident: no PIR, never paged): the change (2), the next card slot, the `resolved` fact, the
  // autoclose step's slot beside the CSAT ask's (a job: the engine sends the DM right after the reply, so the resolve
  // reads nobody's identities, whoever resolves and however long ago the requester was last seen here).
  '/ticket resolve': 5,
  // A P1 incident's resolve: with no service or team it can never have been paged, so no page start is read; its
  // PIR's first reminder and the PIR's opening are two slots in the autoclose step's insert: no more than a plain
  // one. On a team's service it reads the page start too, and ends the page (below: 9).
  // docs/storage.md#round-trips-per-chat-command.
  '/ticket resolve, a P1 with its PIR': 5,
  // ... and the job engine runs the opening and the CSAT ask right after the reply: their claims (one insert), the PIR,
  // the ask's DM (the requester known here: no read of them), their ends.
  '/ticket resolve, a P1 with its PIR: the jobs after it': 5,
  '/ticket close': 5,
  // Teams, the hot set, the unfolded facts, the tenant's recent window (its folded days: one document, none yet
  // here), the chart's file and message. Teams are kept in process after (behind the people epoch).
  '/status week': 6,
  '/status week again': 5,
  // Another process folded: the window is read (the first time in this process)...
  '/status week, after a fold elsewhere': 5,
  // ... then the window asked for only if its token moved (one read of nothing while it stands)...
  '/status week, its window known': 5,
  // ... and the window once another fold has moved it (one read: the window if its token moved, else nothing).
  '/status week, after another fold elsewhere': 5,
  // The same in a process whose copy of the teams is over 5 minutes old (the safety net behind the people epoch): the
  // teams are read again beside the window.
  '/status week, after another fold elsewhere, the teams kept over 5 minutes': 6,
  '/oncall': 0,
  // Every form reads the same: the open work, the unfolded facts, the window (all known here), the chart's file and
  // message.
  '/status': 5,
  '/status today': 5,
  '/status month': 5,
  '/status <from>..<to>': 5,
  '/status <team>': 5,
  // A declared service's status adds its availability and SLA attainment (serviceStatus.ts) from what /status read
  // (its open tickets; its facts, read on as far as the report needs): the five of /status and the follow-up actions
  // (one read, every state).
  '/status <service>': 6,
  // The same report for every service, with its chart: the facts, the open incidents, the actions (one read), the
  // window, the chart's file and message.
  '/status services': 6,
  // An export (the collections listed once per process, the open and closed tickets of the period, their answers,
  // the facts and the window); writing the file is the terminal's here (no upload).
  '/status export': 6,
  '/ticket new --type problem': 5,
  // Problems (src/services/problems.ts): no read (both tickets as the process knows them), then two changes, each
  // what an assign costs (page, ticket update, the next card slot): the incident's and the problem's.
  '/ticket link': 6,
  // The problem as known, its change (3), the known error's document, the people epoch moved.
  '/ticket known-error': 5,
  // The first in a process reads the numbering hint; then the action's insert (its number's claim), its id on the
  // ticket's history (a change: 2) and its first reminder (a slot only: its id is new). The ticket as known here (what
  // is checked never changes but a close, which the note refuses), the owner the one acting (known).
  '/ticket action': 5,
  // Another owner is read (their identity), and their settings unless they were seen here within 30 s (the zone of the
  // reply's first reminder); the numbering is known now.
  '/ticket action, another owner': 6,
  // A ticket with actions reads them by the ids its history names, in one read; one without reads nothing more.
  '/ticket show, with actions': 2,
  // Every list is one read.
  '/ticket action list': 1,
  '/ticket action list --mine': 1,
  '/ticket action list --overdue': 1,
  '/ticket action list --service': 1,
  // The action, the end's claim, the action's mark.
  '/ticket action done': 3,
  '/ticket action defer': 3,
  // A P1 incident on a service whose team has an on-call rotation: the team is paged as it opens. The page is the
  // opening's effect: its start job is one more slot in the insert that files the SLA's first job, no more than any
  // `/ticket new`. docs/storage.md#round-trips-per-chat-command.
  '/ticket new, a P1 that pages its team': 5,
  // ... and the job engine runs the start right after the reply: its claim, the ticket read (an incident resolved
  // meanwhile is not paged), the live record (as it stands once the first level is paged), the episode's start (the
  // "only once"), the next step's slot, the page DM (the outbox's insert), the history line's claim and the line
  // (the change's page and the ticket's update), its end. No step job between the opening and the first DM.
  '/ticket new, a P1 that pages its team: the job after it': 10,
  // A change of it: as any assign, and the page check of every change of a P1 of a team's service (its episode and
  // that episode's start: one read).
  '/ticket assign, a paged P1': 4,
  // Its resolve while paged: the change (2), the card slot, the `resolved` fact, the steps' slots (one insert: the
  // autoclose step, the CSAT ask, the PIR's first reminder and its opening, and the page's teardown, by no read first).
  '/ticket resolve, a P1 that paged its team': 5,
  // ... and the two jobs due at once, run by the engine right after the reply: their claims (one insert), the PIR's
  // opening (the problem of its service read, the PIR), the page's teardown (its episodes, one read; the episode's end;
  // the live record's delete), the CSAT ask's DM, their ends.
  '/ticket resolve, a P1 that paged its team: the jobs after it': 10,
  // An ack of a paged P1: what the reply says is done in the command: the ticket, its episodes and their starts (one
  // read: the start is not read again), the ack (a unique insert, no read first: the page stops at once), the first
  // response's fact (the MTTA /status shows from the reply on), the follow-up's slot, the live record's delete.
  '/oncall ack, a paged P1': 6,
  // ... and the follow-up the engine runs right after the reply: its claim, its line's claim (once across a takeover),
  // the comment that says so on every card (the change, 2; the major incident read by the timeline's listener; the
  // card slots), the first response's fact again (refused: the command wrote it), the SLA's next threshold (job and
  // slot), its end.
  '/oncall ack, a paged P1: the job after it': 10,
  // A second ack: the ticket, the episodes, the ack refused, the first ack read (who it was).
  '/oncall ack, acknowledged already': 4,
  // Escalate now: the ticket, the episodes, the ack (an acknowledged page is refused), the live record and its
  // versioned save (the new generation: the fence every older step reads), then one insert: the new generation's first
  // step (a slot only: its id is new) and the line that says who escalated (written right after the reply, as the
  // ack's). Its step and its line then run after the reply (the engine held here).
  '/oncall escalate, a paged P1': 6,
  // ... and the two jobs after it: the step (its claim, the live record, the ack, the ticket, the live record's save,
  // the next step's job and slot, the page DM, the step's line) and the line (its claim, the claim of its line, the
  // change, 2), their ends. The line's part (its claims, the change, its end) was the command's before.
  '/oncall escalate, a paged P1: the jobs after it': 16,
  // `/oncall page` opens its incident, whose opening files the page's start job as a P1's does (one more slot in the
  // insert of the SLA's first one): the team (kept in process), the number (2: its claim and the counter), the ticket
  // (page and open record), the `opened` fact, the slots. What is typed next (ack, escalate, a team change) waits here
  // for the start job, run right after the reply.
  '/oncall page <team>': 6,
  // ... and the start job (as a P1's): its claim, the ticket, the live record, the episode's start, the next step's
  // slot, the page DM, the history line (its claim, the change), its end.
  '/oncall page <team>: the job after it': 10,
  // The same for one person: the person (seen here? their name for the reply), the number (its claim; the counter is
  // known), the ticket (2), the fact, the slots.
  '/oncall page @person': 6,
  // ... its job reads the person's identities too (whom to DM).
  '/oncall page @person: the job after it': 11,
  // Reads: the teams are one small read (the schedule, gaps and who is on call are pure functions over them); gaps of
  // every team reads the people's names (their identities), the teams being known.
  '/oncall <team>': 1,
  '/oncall <service>': 1,
  '/oncall schedule': 1,
  '/oncall gaps': 1,
  '/oncall gaps <team>': 1,
  // A team change: the team, its versioned update, the people epoch moved (the team's members are people), the next
  // handoff's job and the daily coverage check's (one insert: both planned at once).
  '/oncall policy': 4,
  // ... an override of oneself costs no more (the one acting is known: no read of their identity)...
  '/oncall override': 4,
  // ... a rotation reads its people's identities (a member joins on it).
  '/oncall rotation': 5,
  // Take reads the team once (for who is on call now and until when), and the change writes over that copy's version
  // (a stale one fails the write and is read again); the taker is the one acting (known). The change (update,
  // epoch), the next handoff's and coverage check's records (one insert), the handoff's slot.
  '/oncall take': 5,
  // A swap: the team, the person asked, the proposal (insert-only), the DM to the person asked.
  '/oncall swap': 4,
  // Its answer: the proposal, the answer (a unique insert, no read first: refused, who answered first is read), the DM.
  '/oncall swap-decline': 3,
  // An accept is the answer and two overrides in one team change: the proposal, the answer (as a decline's), the team
  // as kept in process (the shifts checked on it; the change writes over its version, and a stale copy fails that
  // write and is checked again fresh), the change (update, epoch), the handoff and coverage jobs (one insert), the DM
  // to the proposer (their zone and identities known, read before the change moved the epoch).
  '/oncall swap-accept': 6,
};

/**
 * The tenant's people epoch is read at most once a second (src/services/people.ts), by whichever command comes
 * first in that second, so on a loaded machine any command may carry it (a long one, more than once): it is not
 * counted against a command.
 */
const EPOCH = 'find people_epochs';
/**
 * What the job engine does on its own clock while the jobs after a reply run, whatever they are: its heartbeat (every
 * 5 s) and a look at the minute's slots a poll may make beside the jobs it was woken for (on a loaded machine a run
 * may span either). Not counted against the jobs: what they send is.
 */
const ENGINE_OWN = new Set([
  'update process_heartbeats',
  'find process_heartbeats',
  'delete process_heartbeats',
  'find job_slots',
  'find job_cursor',
  'update job_cursor',
]);
/** A step that sets the next one up: run, not held to a budget. */
const SETUP = '(setup)';
/**
 * Moves the process's cache clock past the 5 minutes a copy of the teams is kept at most, then makes root known again
 * (`/help` reads no team): the command after it finds its teams' copy too old.
 */
const TEAMS_AGED = '(teams aged)';
/**
 * A change of a team moves the tenant's people epoch: everyone is read again by their next command. This step makes
 * root and ada known again (each asks who is on call), so the command after it is counted as the budgets are: once the
 * people are known to the process.
 */
const KNOWN_AGAIN = '(known again)';
/**
 * Commands that file a job due at once (the PIR's opening): counted with the job engine held, so what the command
 * sends and what its job sends after the reply are each counted whole, apart, whenever the engine would have run it.
 */
const JOB_AFTER = new Set([
  '/ticket resolve, a P1 with its PIR',
  '/ticket new, a P1 that pages its team',
  '/ticket resolve, a P1 that paged its team',
  '/oncall ack, a paged P1',
  '/oncall escalate, a paged P1',
  '/oncall page <team>',
  '/oncall page @person',
]);

let db: TestDatabase;
let bot: TestBot;
let wire: RoundTrips;
/** How far the process's cache clock is ahead of real elapsed time. */
let aged = 0;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  bot = await startTestBot({ database: db, cacheClock: () => Date.now() + aged });
  wire = countRoundTrips(db.connection);
});
afterAll(async () => {
  wire?.stop();
  await bot?.close();
  await db?.close();
});

/** A fold by another process (its own repository); `more`: with a fact of its own to fold, so the window moves. */
/** The paged P1's live record (INC-5), and the page starts (and episode ends) whose `_id` matches. */
const live = () => db.connection.collection('page_live').countDocuments({ ticketId: 'INC-5' });
const starts = (id: RegExp) => db.connection.collection('page_starts').countDocuments({ _id: id as never });

const SWAP_ACCEPT = '/oncall swap-accept';
const SWAP_DECLINE = '/oncall swap-decline';
/** The swap proposed last (its id, as on the buttons of the asked person's DM). */
async function lastSwap(): Promise<string> {
  const all = await db.connection.collection<{ _id: string }>('oncall_swaps').find().toArray();
  return (
    String(all.at(-1)?._id ?? '')
      .split('/')
      .at(-1) ?? ''
  );
}

/** Incidents whose facts the folds elsewhere fold (each its own, so each fold moves the window). */
let foldedIncident = 90;
async function foldElsewhere(more: boolean): Promise<void> {
  const elsewhere = new RollupRepository(db.connection, bot.now);
  if (more) {
    const window = await db.connection.collection<{ _id: string }>('rollups').findOne({ _id: /\/~recent$/ });
    const tenant = (window?._id ?? '').replace(/\/~recent$/, '');
    const at = new Date(bot.now().getTime() - 86_400_000);
    const day = at.toISOString().slice(0, 10);
    const ticketId = `INC-${foldedIncident++}`;
    const fact = { tenant, ticketId, type: 'incident', kind: 'opened', priority: 'P3' } as const;
    expect(
      await elsewhere.insert({ ...fact, id: `${tenant}/${day}/${ticketId}/opened`, at, service: null, team: null }),
    ).toBe(true);
  }
  await elsewhere.fold(null);
}

describe('round trips per chat command', () => {
  it('stay within each command’s budget, once the people and the ticket are known to the process', async () => {
    const root = personAt(bot.core, 'root');
    const ada = personAt(bot.core, 'ada');
    const cost = async (line: string, who = root): Promise<readonly string[]> => {
      await bot.core.settled();
      wire.reset();
      const r = await who(line);
      await bot.core.settled();
      expect(r.error, r.text).toBeUndefined();
      return wire.seen().filter((c) => c !== EPOCH);
    };
    // A catalog with a service in it (its change moves the people epoch: done before anyone is known).
    await cost('/team create network');
    // A second person, and a team whose shifts root and ada take by turns (a swap between them).
    await cost('/help', ada);
    await cost('/role grant @ada agent');
    await cost('/team create relay');
    await cost('/oncall rotation relay @root @ada --every 1d --handoff 09:00 --tz UTC');
    // Someone on call, so a P1 of its service pages.
    await cost('/oncall rotation network @root --every 1w');
    await cost('/service add vpn --team network --owner @root --targets "P1=10m/2h"');
    // The first command of a person makes them known (their identity, settings), and reads the catalog: not what a
    // command costs after.
    await cost('/ticket new "warm up" --service vpn');
    await cost('/ticket new "warm up" --type problem');
    const commands: Array<[string, string]> = [
      ['/ticket new', '/ticket new "VPN drops" --impact high --urgency high'],
      ['/ticket new --service', '/ticket new "VPN slow" --service vpn'],
      ['/ticket show', '/ticket show INC-2'],
      ['/ticket list', '/ticket list'],
      ['/ticket assign', '/ticket assign INC-2 me'],
      ['/ticket comment', '/ticket comment INC-2 "rolled back"'],
      [SETUP, '/ticket new "Printer jam" --impact medium --urgency medium'],
      ['/ticket resolve', '/ticket resolve INC-4 "paper cleared"'],
      ['/ticket resolve, a P1 with its PIR', '/ticket resolve INC-2 "config fixed"'],
      ['/ticket close', '/ticket close INC-2'],
      ['/status week', '/status week'],
      ['/status week again', '/status week'],
      ['/status week, after a fold elsewhere', '/status week'],
      ['/status week, its window known', '/status week'],
      ['/status week, after another fold elsewhere', '/status week'],
      [TEAMS_AGED, ''],
      ['/status week, after another fold elsewhere, the teams kept over 5 minutes', '/status week'],
      ['/status', '/status'],
      ['/status today', '/status today'],
      ['/status month', '/status month'],
      ['/status <from>..<to>', '/status 2026-03-01..2026-03-07'],
      ['/status <team>', '/status network'],
      ['/status <service>', '/status vpn'],
      ['/status services', '/status services'],
      ['/status export', '/status export week'],
      ['/oncall', '/oncall'],
      ['/ticket action', '/ticket action INC-3 "Alert on VPN errors" --owner @root --due "tomorrow 9am"'],
      ['/ticket action, another owner', '/ticket action INC-3 "Rotate the VPN keys" --owner @ada --due "in 3 days"'],
      ['/ticket show, with actions', '/ticket show INC-3'],
      ['/ticket action list', '/ticket action list'],
      ['/ticket action list --mine', '/ticket action list --mine'],
      ['/ticket action list --overdue', '/ticket action list --overdue'],
      ['/ticket action list --service', '/ticket action list --service vpn'],
      ['/ticket action done', '/ticket action done ACT-1'],
      ['/ticket action defer', '/ticket action defer ACT-2 "waits for the new gateway"'],
      ['/ticket new, a P1 that pages its team', '/ticket new "VPN down" --service vpn --impact high --urgency high'],
      ['/ticket assign, a paged P1', '/ticket assign INC-5 me'],
      ['/ticket resolve, a P1 that paged its team', '/ticket resolve INC-5 "gateway restarted"'],
      [SETUP, '/ticket new "DNS down" --service vpn --impact high --urgency high'],
      ['/oncall ack, a paged P1', '/oncall ack INC-6'],
      ['/oncall ack, acknowledged already', '/oncall ack INC-6'],
      [SETUP, '/ticket new "DHCP down" --service vpn --impact high --urgency high'],
      ['/oncall escalate, a paged P1', '/oncall escalate INC-7'],
      ['/oncall page <team>', '/oncall page network "disk full on db1"'],
      ['/oncall page @person', '/oncall page @root "call me"'],
      ['/oncall <team>', '/oncall network'],
      ['/oncall <service>', '/oncall vpn'],
      ['/oncall schedule', '/oncall schedule relay'],
      ['/oncall gaps', '/oncall gaps'],
      ['/oncall gaps <team>', '/oncall gaps relay'],
      ['/oncall policy', '/oncall policy network "oncall; team after 5m"'],
      [KNOWN_AGAIN, ''],
      ['/oncall override', '/oncall override network @root "2026-03-20 10:00" "2026-03-20 12:00"'],
      [KNOWN_AGAIN, ''],
      ['/oncall take', '/oncall take network until "2026-03-20 18:00"'],
      [KNOWN_AGAIN, ''],
      ['/oncall rotation', '/oncall rotation network @root --every 1w'],
      [KNOWN_AGAIN, ''],
      ['/oncall swap', '/oncall swap relay @ada now'],
      ['/oncall swap-decline', SWAP_DECLINE],
      [SETUP, '/oncall swap relay @ada now'],
      ['/oncall swap-accept', SWAP_ACCEPT],
      // The accept moved the epoch: the people and the catalog are read again before the lines below.
      [KNOWN_AGAIN, ''],
      [SETUP, '/ticket new "warm up again" --service vpn'],
      // Last: a known error moves the people epoch (everyone is read again after it).
      ['/ticket new --type problem', '/ticket new "VPN gateway leaks" --type problem --service vpn'],
      ['/ticket link', '/ticket link INC-3 PRB-2'],
      ['/ticket known-error', '/ticket known-error PRB-2 "Use the backup gateway"'],
    ];
    const counted: Array<{ command: string; n: number; sent: readonly string[] }> = [];
    for (const [command, typed] of commands) {
      if (command === TEAMS_AGED) {
        aged += 5 * 60_000 + 1_000;
        await cost('/help', root);
        continue;
      }
      if (command === KNOWN_AGAIN) {
        await cost('/oncall', root);
        await cost('/oncall', ada);
        continue;
      }
      // A swap's answer names the swap last proposed; it is ada's to give.
      const asked = typed === SWAP_ACCEPT || typed === SWAP_DECLINE;
      const line = asked ? `${typed} ${await lastSwap()}` : typed;
      const who = asked ? ada : root;
      // Everything up to now folded, by a process of its own (its own repository on the same database).
      if (command.includes('fold elsewhere')) await foldElsewhere(command.includes('another'));
      if (JOB_AFTER.has(command)) {
        await bot.core.settled();
        await bot.jobs.stop();
        const sent = await cost(line, who);
        counted.push({ command, n: sent.length, sent });
        // The page's live record as the command left it (the engine held): the start and the teardown come after.
        const liveAtReply = command.startsWith('/oncall ack')
          ? await db.connection.collection('page_live').countDocuments({ ticketId: 'INC-6' })
          : await live();
        wire.reset();
        bot.jobs.start();
        await bot.jobs.drained();
        await bot.core.settled();
        const after = wire.seen().filter((c) => c !== EPOCH && !ENGINE_OWN.has(c));
        const jobs =
          command.includes('paged its team') || command.includes('PIR') || command.startsWith('/oncall escalate')
            ? 'the jobs'
            : 'the job';
        counted.push({ command: `${command}: ${jobs} after it`, n: after.length, sent: after });
        if (command.includes('PIR')) {
          // The job opened the PIR.
          expect(await db.connection.collection('pirs').countDocuments({ ticketId: 'INC-2' })).toBe(1);
        }
        if (command.includes('pages its team')) {
          // The job started the page after the reply: its live record and its start, and the page DM.
          expect([liveAtReply, await live(), await starts(/\/INC-5$/)]).toEqual([0, 1, 1]);
          expect(after).toContain('insert outbox');
        }
        if (command.startsWith('/oncall ack')) {
          // The ack stopped the page in the command (its live record gone at the reply); the job after it wrote the
          // comment that redraws every card, once.
          const shown = (await root('/ticket show INC-6')).text;
          const comments = shown.split('Acknowledged the page (MTTA').length - 1;
          expect([liveAtReply, comments]).toEqual([0, 1]);
        }
        if (command.includes('paged its team')) {
          // The job ended it after the reply: the episode's end is written, the live record gone.
          expect([liveAtReply, await live(), await starts(/^closed:.*\/INC-5$/)]).toEqual([1, 0, 1]);
        }
        continue;
      }
      // Every other command is counted with the job engine held too: on a loaded machine a job due from an earlier
      // command (or this one's, right after its reply) would otherwise land its claim inside the count. The engine
      // runs what is due after, before the next command (a setup that pages: its page starts here).
      await bot.core.settled();
      await bot.jobs.stop();
      const sent = await cost(line, who);
      bot.jobs.start();
      await bot.jobs.drained();
      await bot.core.settled();
      if (command !== SETUP) counted.push({ command, n: sent.length, sent });
    }
    if (process.env.SHOW_TRIPS) for (const c of counted) console.log(`${c.n} ${c.command} | ${c.sent.join(', ')}`);
    expect(counted.map((c) => c.command).sort()).toEqual(Object.keys(BUDGET).sort());
    for (const { command, n, sent } of counted) {
      // What was sent shows beside a figure over its budget.
      expect({ command, withinBudget: n <= (BUDGET[command] as number), n, sent }).toMatchObject({
        command,
        withinBudget: true,
      });
    }
  });
});
