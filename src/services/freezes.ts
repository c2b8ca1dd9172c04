// Freeze windows: managers declare them, anyone lists them, and change approvals consult them.
import type { Freeze, Window } from '../domain/change.ts';
import { UserError } from '../domain/errors.ts';
import { type RoleNeed, refusalFor } from '../domain/roles.ts';
import { quoted } from '../domain/scheduleTypes.ts';
import type { FreezeRepository } from '../store/freezeStore.ts';
import type { Acting } from './acting.ts';

/** A tenant with more live freezes than this is a mistake (or abuse); the collection is scanned on every read. */
const MAX_FREEZES = 200;
const FREEZE_ID = /^FRZ-?(\d{1,9})$/i;

/** Declaring and lifting freezes (anyone may list them). */
export const MANAGE_FREEZES: RoleNeed = { role: 'manager', denied: 'Managing freeze windows needs the manager role.' };

export class FreezeService {
  constructor(private readonly repo: FreezeRepository) {}

  async addFreeze(acting: Acting, window: Window, reason: string): Promise<Freeze> {
    this.mustManage(acting);
    if (window.to.getTime() <= window.from.getTime()) {
      throw UserError.of('FREEZE.BAD_WINDOW', {}, '', 'to');
    }
    const text = reason.trim();
    if (text === '') throw UserError.of('FREEZE.NO_REASON', {}, '', 'reason');
    await this.repo.prune(acting.tenant, acting.now);
    if ((await this.repo.list(acting.tenant)).length >= MAX_FREEZES) {
      throw UserError.of('FREEZE.TOO_MANY', { max: MAX_FREEZES });
    }
    return this.repo.insert({
      tenant: acting.tenant,
      from: window.from,
      to: window.to,
      reason: text,
      by: acting.person,
      at: acting.now,
    });
  }

  /** Freezes not yet over, soonest first. */
  async listFreezes(tenant: string, now: Date): Promise<Freeze[]> {
    return (await this.repo.list(tenant)).filter((f) => f.to.getTime() > now.getTime());
  }

  async removeFreeze(acting: Acting, id: string): Promise<Freeze> {
    this.mustManage(acting);
    const m = FREEZE_ID.exec(id.trim());
    if (!m) throw new UserError('FREEZE.BAD_ID', `${quoted(id)} is not a freeze id.`, 'Freeze ids look like FRZ-1.');
    const freezeId = `FRZ-${Number(m[1])}`;
    const found = await this.repo.find(acting.tenant, freezeId);
    if (!found || !(await this.repo.remove(acting.tenant, freezeId))) {
      throw UserError.of('FREEZE.NOT_FOUND', { id: freezeId }, 'See them with /freeze list.');
    }
    return found;
  }

  private mustManage(acting: Acting): void {
    const refused = refusalFor(acting.role, MANAGE_FREEZES);
    if (refused) throw refused;
  }
}
