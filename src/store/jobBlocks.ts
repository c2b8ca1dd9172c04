// Two engines split a burst: a minute's slots in blocks, each block after the first read and run by the one engine that claimed it (the store's layout, behind `DueJobs`).

/** What blocks are kept in (`JobRepository`: a block's claims and end beside the jobs'). */
export interface BlockStore {
  claimBlock(at: Date, b: number, attempt: number, now: Date, owner: string): Promise<boolean>;
  endBlock(at: Date, b: number, open: boolean, now: Date): Promise<boolean>;
  blockState(
    at: Date,
    b: number,
    attempt: number,
    held: { since: number; now: number; leaseMs: number },
  ): Promise<'closed' | 'open' | 'free' | 'held'>;
  releaseBlock(at: Date, b: number, attempt: number, owner: string): Promise<void>;
}

/**
 * A block of a minute's slots as this engine sees it: `shared` (block 0, every engine reads it), `mine` (claimed
 * here: only this engine reads it), `theirs` (another engine holds it: not read here), `open` (its holder found a job
 * it may not run, so every engine reads it) or `closed` (its holder ended every job in it).
 */
export interface Block {
  state: 'shared' | 'mine' | 'theirs' | 'open' | 'closed';
  /** Its first slot, and the next slot to read in it. */
  first: number;
  read: number;
  /** The attempt of its claim (`block:<minute>/<b>#<attempt>`): a block taken over is claimed again, one attempt on. */
  attempt: number;
  /** Another engine's: since when this engine has seen it held, and when to look again what became of it. */
  since: number;
  checkAt: number;
  /** Mine: its end (closed, or open) is written. */
  ended: boolean;
  /** Made mine or open by a look, and not read since: the minute may not be left (nor the block closed) before. */
  unread?: boolean;
}

/** A minute being walked: the jobs found in it, and its blocks. */
export interface Minute {
  ids: string[];
  blocks: Map<number, Block>;
  /**
   * Read whole (one block, up to its gap) after the minute was over: nothing more can be filed under it, so it is not
   * read again (a minute held back by a job still running would otherwise be read on every pass).
   */
  complete?: boolean;
}

/** How soon a block another engine holds is first looked at again (then twice its age, at most the lease). */
const FIRST_LOOK_MS = 1000;
/** Blocks looked at side by side (each one or two reads by `_id`). */
const LOOKS_AT_ONCE = 16;

export const shared = (): Block => ({
  state: 'shared',
  first: 0,
  read: 0,
  attempt: 0,
  since: 0,
  checkAt: 0,
  ended: true,
});

/** Block `b` (from slot `first`) claimed for this engine: `mine` for the one engine that took it, else `theirs`. */
export async function claimed(
  repo: BlockStore,
  owner: string,
  at: Date,
  b: number,
  first: number,
  now: number,
): Promise<Block> {
  const won = await repo.claimBlock(at, b, 0, new Date(now), owner);
  return {
    state: won ? 'mine' : 'theirs',
    first,
    read: first,
    attempt: 0,
    since: now,
    checkAt: now + FIRST_LOOK_MS,
    ended: false,
  };
}

/**
 * Blocks another engine holds, due a look: closed (nothing left here), opened to every engine (read it here too),
 * or free (given back by an engine that stopped, or held past the lease by one that stopped beating): claimed again,
 * one attempt on, and read and run here by whichever engine takes it. Looks back off as held jobs' do.
 */
export async function lookAtBlocks(
  repo: BlockStore,
  owner: string,
  at: Date,
  blocks: Map<number, Block>,
  now: number,
  leaseMs: number,
  readAgain: () => void,
): Promise<void> {
  const due = [...blocks].filter(([, blk]) => blk.state === 'theirs' && blk.checkAt <= now);
  for (let i = 0; i < due.length; i += LOOKS_AT_ONCE) {
    await Promise.all(
      due.slice(i, i + LOOKS_AT_ONCE).map(async ([b, blk]) => {
        const state = await repo.blockState(at, b, blk.attempt, { since: blk.since, now, leaseMs });
        if (state === 'closed') blk.state = 'closed';
        else if (state === 'open') {
          blk.state = 'open';
          blk.read = blk.first;
          blk.unread = true;
          readAgain();
        } else if (state === 'free') {
          blk.attempt++;
          if (await repo.claimBlock(at, b, blk.attempt, new Date(now), owner)) {
            blk.state = 'mine';
            blk.read = blk.first;
            blk.ended = false;
            blk.unread = true;
            readAgain();
          } else {
            blk.since = now;
            blk.checkAt = now + FIRST_LOOK_MS;
          }
        } else {
          const age = now - blk.since;
          blk.checkAt =
            age >= leaseMs ? now + leaseMs / 4 : Math.min(blk.since + leaseMs, now + Math.max(FIRST_LOOK_MS, age));
        }
      }),
    );
  }
}

/**
 * Asked once a minute is over and every job read here has ended: this engine's own blocks are closed (so the engines
 * that lost them can leave the minute, whatever they hold themselves), and the minute may be left once no block of
 * it is still another engine's.
 */
export async function blocksDone(repo: BlockStore, at: Date, blocks: Map<number, Block>, now: Date): Promise<boolean> {
  // A block just taken over (or opened) has jobs not read yet: none of them has ended, whatever `ids` says.
  if ([...blocks.values()].some((blk) => blk.unread)) return false;
  for (const [b, blk] of blocks) {
    if (blk.state !== 'mine' || blk.ended) continue;
    await repo.endBlock(at, b, false, now);
    blk.ended = true;
  }
  return ![...blocks.values()].some((blk) => blk.state === 'theirs');
}

/** Gives back the blocks an engine that stops had not finished: another engine takes each at its next look. */
export async function releaseBlocks(repo: BlockStore, owner: string, minutes: Map<number, Minute>): Promise<void> {
  for (const [m, w] of minutes) {
    for (const [b, blk] of w.blocks) {
      if (blk.state === 'mine' && !blk.ended) await repo.releaseBlock(new Date(m), b, blk.attempt, owner);
    }
  }
}
