// The job engine against its port alone: an in-memory JobQueue (no minutes, slots, blocks or cursor) is all it needs to
// run each job once at its time, split jobs between engines, record misses, take over a dead process's job and give
// back what it held. How the store lays jobs out is tested against the real database (test/integration/dueJobs.test.ts).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/scheduler/jobs.ts';
import type { DueLook, JobQueue, JobQueueOptions, JobQueues } from '../../src/store/jobQueue.ts';
import type { Job, JobEnd } from '../../src/store/jobTypes.ts';

const log = pino({ level: 'silent' });
const T0 = Date.parse('2031-01-01T10:00:00Z');

/** The shared "database": jobs, claims by owner, ends, and which owners beat. */
class Shelf implements JobQueues {
  readonly jobs: Job[] = [];
  readonly claims = new Map<string, string>();
  readonly ends = new Map<string, Omit<JobEnd, '_id'>>();
  readonly alive = new Set<string>();
  readonly queues: MemoryQueue[] = [];
  private n = 0;

  queue(o: JobQueueOptions): JobQueue {
    const q = new MemoryQueue(this, `engine-${this.n++}`, o);
    this.queues.push(q);
    return q;
  }

  add(id: string, dueAt: number, kind = 'test.run'): void {
    const at = new Date(dueAt);
    this.jobs.push({ _id: id, tenant: 't', kind, dueAt: at, payload: {}, createdAt: at, by: null, ticketId: null });
    for (const q of this.queues) for (const l of q.listeners) l();
  }
}

class MemoryQueue implements JobQueue {
  readonly listeners = new Set<() => void>();
  readonly ended = new Set<string>();
  readonly handed = new Map<string, Job>();
  released = 0;

  constructor(
    private readonly shelf: Shelf,
    readonly owner: string,
    private readonly o: JobQueueOptions,
  ) {}

  async open(): Promise<void> {}

  async due(until: Date, look: DueLook): Promise<void> {
    const jobs = this.shelf.jobs.filter((j) => j.dueAt <= until && !this.ended.has(j._id));
    for (const j of jobs) this.handed.set(j._id, j);
    if (jobs.length > 0) await look.take(jobs);
  }

  *pending(): Iterable<Job> {
    for (const j of this.handed.values()) if (!this.ended.has(j._id)) yield j;
  }

  async claim(job: Job, attempt: number): Promise<boolean> {
    const key = `${job._id}#${attempt}`;
    if (this.shelf.claims.has(key)) return false;
    this.shelf.claims.set(key, this.owner);
    return true;
  }

  async end(job: Job, entry: Omit<JobEnd, '_id'>): Promise<boolean> {
    this.ended.add(job._id);
    if (this.shelf.ends.has(job._id)) return false;
    this.shelf.ends.set(job._id, entry);
    return true;
  }

  async endedAmong(jobs: readonly Job[]): Promise<Set<string>> {
    const ended = new Set(jobs.filter((j) => this.shelf.ends.has(j._id)).map((j) => j._id));
    for (const id of ended) this.ended.add(id);
    return ended;
  }

  async abandoned(job: Job, attempt: number, since: number, now: number): Promise<boolean> {
    const holder = this.shelf.claims.get(`${job._id}#${attempt}`);
    return now - since >= this.o.leaseMs && !!holder && !this.shelf.alive.has(holder);
  }

  async release(): Promise<void> {
    this.released++;
  }

  onDueNow(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  keepBeating(): () => void {
    this.shelf.alive.add(this.owner);
    return () => this.shelf.alive.delete(this.owner);
  }
}

function setup(opts: { concurrency?: number; graceMs?: number; pollMs?: number } = {}) {
  const shelf = new Shelf();
  let clock = T0;
  const now = () => new Date(clock);
  const ran: string[] = [];
  const engine = (run: (job: Job) => Promise<unknown> = async (j) => void ran.push(j._id)) => {
    const e = new JobEngine(shelf, { now, log, pollMs: opts.pollMs ?? 10, ...opts });
    e.handle('test.run', async (job) => {
      await run(job);
      return undefined;
    });
    return e;
  };
  return { shelf, ran, engine, later: (ms: number) => (clock += ms), now };
}

describe('the job engine over its port', () => {
  it('runs each job once at its time, not before, and records how it ended', async () => {
    const { shelf, ran, engine, later } = setup();
    shelf.add('now', T0);
    shelf.add('soon', T0 + 120_000);
    const e = engine();
    e.start();
    try {
      await e.drained();
      expect(ran).toEqual(['now']);
      expect(shelf.ends.get('now')).toMatchObject({ outcome: 'done', reason: null, lateMs: 0 });
      later(120_000);
      await e.drained();
      await e.drained();
      expect(ran).toEqual(['now', 'soon']);
    } finally {
      await e.stop();
    }
  });

  it('records a job that threw as failed, with its message', async () => {
    const { shelf, engine } = setup();
    shelf.add('boom', T0);
    const e = engine(async () => {
      throw new Error('the vendor is down');
    });
    e.start();
    try {
      await e.drained();
      expect(shelf.ends.get('boom')).toMatchObject({ outcome: 'failed', reason: 'the vendor is down' });
    } finally {
      await e.stop();
    }
  });

  it('shares jobs between two engines over one store: each runs once', async () => {
    const { shelf, ran, engine } = setup();
    for (let i = 0; i < 40; i++) shelf.add(`j${i}`, T0 - i * 1000);
    const [a, b] = [engine(), engine()];
    a.start();
    b.start();
    try {
      await Promise.all([a.drained(), b.drained()]);
      expect([...ran].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `j${i}`).sort());
      expect(new Set(ran).size).toBe(40);
      expect(shelf.ends.size).toBe(40);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('records a job found after the catch-up period as missed, and does not run it', async () => {
    const { shelf, ran, engine } = setup({ graceMs: 3_600_000 });
    shelf.add('old', T0 - 2 * 3_600_000);
    const e = engine();
    e.start();
    try {
      await e.drained();
      expect(ran).toEqual([]);
      expect(shelf.ends.get('old')).toMatchObject({ outcome: 'missed' });
    } finally {
      await e.stop();
    }
  });

  it("runs a kind declared late: 'run' however late it is found, and still records the other kinds as missed", async () => {
    const { shelf, ran, engine } = setup({ graceMs: 3_600_000 });
    shelf.add('old', T0 - 2 * 3_600_000);
    shelf.add('old page', T0 - 2 * 3_600_000, 'test.page');
    const e = engine();
    e.handle('test.page', async (job) => void ran.push(job._id), undefined, 'run');
    e.start();
    try {
      await e.drained();
      expect(ran).toEqual(['old page']);
      expect(shelf.ends.get('old page')).toMatchObject({ outcome: 'done' });
      expect(shelf.ends.get('old')).toMatchObject({ outcome: 'missed' });
    } finally {
      await e.stop();
    }
  });

  it('takes over a job whose process died, after the lease; not one whose process still beats', async () => {
    const { shelf, ran, engine, later } = setup();
    shelf.add('dead', T0);
    shelf.add('slow', T0);
    shelf.claims.set('dead#0', 'gone');
    shelf.claims.set('slow#0', 'busy');
    shelf.alive.add('busy');
    const e = engine();
    e.start();
    try {
      await e.drained();
      expect(ran).toEqual([]);
      later(61_000);
      for (let i = 0; i < 3; i++) await e.drained();
      expect(ran).toEqual(['dead']);
      expect(shelf.claims.get('dead#1')).toBe(shelf.queues[0]?.owner);
      // The slow one ends where it runs: the engine sees it ended, and hands nothing more.
      shelf.ends.set('slow', { outcome: 'done', at: new Date(T0), reason: null, lateMs: 0 });
      later(61_000);
      for (let i = 0; i < 3; i++) await e.drained();
      expect(ran).toEqual(['dead']);
      expect([...(shelf.queues[0] as MemoryQueue).pending()]).toEqual([]);
    } finally {
      await e.stop();
    }
  });

  it('runs at most `concurrency` jobs at once, the rest as room is made', async () => {
    const { shelf, engine } = setup({ concurrency: 3 });
    for (let i = 0; i < 10; i++) shelf.add(`c${i}`, T0);
    let running = 0;
    let most = 0;
    const e = engine(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    });
    e.start();
    try {
      for (let i = 0; i < 5 && shelf.ends.size < 10; i++) await e.drained();
      expect(shelf.ends.size).toBe(10);
      expect(most).toBe(3);
    } finally {
      await e.stop();
    }
  });

  it('looks at once when a job due now is filed, and gives back what it held when it stops', async () => {
    // A poll far away: only the port's due-now signal can start the job soon.
    const { shelf, ran, engine } = setup({ pollMs: 3_600_000 });
    const e = engine();
    e.start();
    await new Promise((r) => setTimeout(r, 20));
    shelf.add('urgent', T0);
    for (let i = 0; i < 200 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual(['urgent']);
    await e.stop();
    expect(shelf.queues[0]?.released).toBe(1);
  });

  it('settles once a job filed due now has run, though the look that finds it is slow; quiet, it looks no more', async () => {
    // A poll far away: only the port's due-now signal starts the job, and its look waits at a gate.
    const { shelf, ran, engine } = setup({ pollMs: 3_600_000 });
    const e = engine();
    e.start();
    try {
      await e.drained();
      const q = shelf.queues[0] as MemoryQueue;
      const due = q.due.bind(q);
      let looks = 0;
      let open: () => void = () => {};
      const gate = new Promise<void>((r) => {
        open = r;
      });
      q.due = async (until, look) => {
        looks++;
        await gate;
        return due(until, look);
      };
      shelf.add('after the reply', T0);
      // The look is under way and has found nothing yet: nothing runs or waits here, but the filing was heard.
      const settled = e.settled();
      setTimeout(open, 20);
      expect(await settled).toBe(true);
      expect(ran).toEqual(['after the reply']);
      const before = looks;
      expect(await e.settled()).toBe(false);
      expect(looks).toBe(before);
    } finally {
      await e.stop();
    }
  });

  it('settles without waiting on a job another process holds, or on a stopped engine', async () => {
    const { shelf, ran, engine } = setup();
    shelf.claims.set('elsewhere#0', 'busy');
    shelf.alive.add('busy');
    const e = engine();
    e.start();
    try {
      shelf.add('elsewhere', T0);
      await e.settled();
      expect(ran).toEqual([]);
      // Stopped (a test holding the engine): the job waits for the next start, and the settle does not.
      await e.stop();
      shelf.add('held back', T0);
      expect(await e.settled()).toBe(false);
      expect(ran).toEqual([]);
    } finally {
      await e.stop();
    }
  });
});
