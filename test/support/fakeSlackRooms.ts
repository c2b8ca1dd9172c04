// The fake Slack's channels the bot makes (major incident rooms): create, invite, topic, pins, archive, as Slack
// answers them (name rules, name_taken, already_in_channel, cant_invite_self, already_archived).
import type { Json } from './fakeSlack.ts';

export interface FakeRoom {
  id: string;
  name: string;
  creator: string;
  members: string[];
  topic: string;
  pins: string[];
  archived: boolean;
}

const NAME = /^[a-z0-9_-]{1,80}$/;

export class FakeSlackRooms {
  readonly rooms = new Map<string, FakeRoom>();
  private readonly taken = new Set<string>();
  private seq = 0;

  constructor(private readonly botUserId: string) {}

  /** A channel of that name exists already (conversations.create answers name_taken). */
  take(name: string): void {
    this.taken.add(name);
  }

  byName(name: string): FakeRoom | undefined {
    return [...this.rooms.values()].find((r) => r.name === name);
  }

  /** The Web API's answer for a rooms method, or undefined for any other method. */
  answer(method: string, body: Json): Record<string, unknown> | undefined {
    switch (method) {
      case 'conversations.create': {
        const name = String(body.name ?? '');
        if (!NAME.test(name)) return { ok: false, error: 'invalid_name_specials' };
        if (this.taken.has(name)) return { ok: false, error: 'name_taken' };
        this.taken.add(name);
        const id = `CINC${String(++this.seq).padStart(4, '0')}`;
        const room: FakeRoom = {
          id,
          name,
          creator: this.botUserId,
          members: [this.botUserId],
          topic: '',
          pins: [],
          archived: false,
        };
        this.rooms.set(id, room);
        return { ok: true, channel: { id, name, is_channel: true, is_private: body.is_private === true } };
      }
      case 'conversations.invite': {
        const room = this.rooms.get(String(body.channel));
        if (!room) return { ok: false, error: 'channel_not_found' };
        const users = String(body.users ?? '')
          .split(',')
          .filter(Boolean);
        if (users.includes(this.botUserId)) return { ok: false, error: 'cant_invite_self' };
        const fresh = users.filter((u) => !room.members.includes(u));
        if (fresh.length === 0) return { ok: false, error: 'already_in_channel' };
        room.members.push(...fresh);
        return { ok: true, channel: { id: room.id, name: room.name } };
      }
      case 'conversations.setTopic': {
        const room = this.rooms.get(String(body.channel));
        if (!room) return { ok: false, error: 'channel_not_found' };
        room.topic = String(body.topic ?? '');
        return { ok: true, channel: { id: room.id, topic: { value: room.topic } } };
      }
      case 'conversations.archive': {
        const room = this.rooms.get(String(body.channel));
        if (!room) return { ok: false, error: 'channel_not_found' };
        if (room.archived) return { ok: false, error: 'already_archived' };
        room.archived = true;
        return { ok: true };
      }
      case 'pins.add': {
        const room = this.rooms.get(String(body.channel));
        if (!room) return { ok: false, error: 'channel_not_found' };
        const ts = String(body.timestamp ?? '');
        if (room.pins.includes(ts)) return { ok: false, error: 'already_pinned' };
        room.pins.push(ts);
        return { ok: true };
      }
      default:
        return undefined;
    }
  }
}
