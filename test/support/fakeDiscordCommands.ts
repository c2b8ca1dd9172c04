// The fake Discord's application commands: GET, bulk PUT, POST, PATCH and DELETE, global and per guild.
import { nextSnowflake } from './fakeDiscordPayloads.ts';

export class FakeCommandStore {
  global: any[] = [];
  readonly guild = new Map<string, any[]>();

  constructor(private readonly applicationId: string) {}

  handle(method: string, seg: string[], body: any, reply: (status: number, json?: unknown) => void): void {
    // seg: ['commands'] | ['commands', id] | ['guilds', g, 'commands'] | ['guilds', g, 'commands', id]
    const guildId = seg[0] === 'guilds' ? (seg[1] as string) : undefined;
    const rest = guildId ? seg.slice(2) : seg;
    if (rest[0] !== 'commands') return reply(404, { message: 'Not Found', code: 0 });
    const list = guildId ? (this.guild.get(guildId) ?? []) : this.global;
    const save = (next: any[]) => {
      if (guildId) this.guild.set(guildId, next);
      else this.global = next;
    };
    const stored = (c: any, old?: any) => ({
      id: old?.id ?? nextSnowflake(),
      application_id: this.applicationId,
      version: nextSnowflake(),
      default_member_permissions: null,
      type: 1,
      nsfw: false,
      description: '',
      contexts: null,
      integration_types: [0],
      ...(guildId ? { guild_id: guildId } : {}),
      ...c,
    });
    if (rest.length === 1 && method === 'GET') return reply(200, list);
    if (rest.length === 1 && method === 'PUT') {
      const next = (body as any[]).map((c) =>
        stored(
          c,
          list.find((o) => o.name === c.name && (o.type ?? 1) === (c.type ?? 1)),
        ),
      );
      save(next);
      return reply(200, next);
    }
    if (rest.length === 1 && method === 'POST') {
      const c = stored(
        body,
        list.find((o) => o.name === body.name),
      );
      save([...list.filter((o) => o.id !== c.id), c]);
      return reply(201, c);
    }
    const existing = list.find((c) => c.id === rest[1]);
    if (!existing) return reply(404, { message: 'Unknown application command', code: 10063 });
    if (method === 'PATCH') {
      const c = { ...existing, ...body, version: nextSnowflake() };
      save(list.map((o) => (o.id === c.id ? c : o)));
      return reply(200, c);
    }
    if (method === 'DELETE') {
      save(list.filter((o) => o.id !== existing.id));
      return reply(204);
    }
    reply(405, { message: 'Method Not Allowed', code: 0 });
  }
}
