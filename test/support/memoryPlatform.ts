// A fourth platform, in memory, for tests only: proof that a platform is its spec and its adapter, registered
// through createSwitchboard, with nothing else of the house told. People type lines in rooms (`R1`), mention others
// as `<@ann>`, and read what the bot sent them; the bot's posts, DMs and card edits are recorded.
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import type { Actor, Invocation, Origin } from '../../src/core/invocation.ts';
import type { PlatformSpec } from '../../src/domain/platform.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { MessageContext, PlatformSender, Sent } from '../../src/present/sender.ts';

export const memoryPlatform: PlatformSpec = Object.freeze({
  name: 'memory',
  title: 'Memory',
  personExample: 'ann',
  barePeople: false,
  workspaceExample: 'W1',
  channels: { id: /^R\d{1,9}$/, example: 'R1', threadIsChannel: false },
  limits: { titleFromMessage: 100, fileBytes: 1024 * 1024 },
});

export interface MemoryMessage {
  op: 'post' | 'dm' | 'edit';
  /** The room, or the person a DM went to. */
  to: string;
  thread?: string | undefined;
  reply: Reply;
  ctx: MessageContext;
}

export interface MemoryAdapter extends ChatAdapter {
  /** What the bot sent on this platform, in order. */
  readonly sent: MemoryMessage[];
  /** `user` types `line` (`/ticket new …`) in `room`; resolves with the bot's answer. */
  say(user: string, line: string, room?: string): Promise<Reply>;
  /** The DMs the bot sent `user`. */
  dmsTo(user: string): MemoryMessage[];
}

/** `<@ann>` is how a person is mentioned here; the core takes mentions in the neutral `@memory:ann`. */
const neutralMentions = (line: string): string => line.replace(/<@([A-Za-z0-9._-]{1,64})>/g, '@memory:$1');

export function createMemoryAdapter(core: BotCore, workspace = 'W1'): MemoryAdapter {
  const sent: MemoryMessage[] = [];
  let delivery = 0;
  const record = async (m: MemoryMessage): Promise<Sent> => {
    sent.push(m);
    return { messageId: `M${sent.length}`, channel: m.op === 'dm' ? `D-${m.to}` : m.to };
  };
  const sender: PlatformSender = {
    platform: memoryPlatform.name,
    post: (channel, reply, thread, ctx) => record({ op: 'post', to: channel, thread, reply, ctx }),
    dm: (user, reply, ctx) => record({ op: 'dm', to: user, reply, ctx }),
    edit: (channel, _messageId, reply, ctx) => record({ op: 'edit', to: channel, reply, ctx }),
  };
  return {
    platform: memoryPlatform.name,
    sent,
    async start() {
      core.registerSender(sender);
    },
    async stop() {},
    async workspaces() {
      return [workspace];
    },
    async say(user, line, room = 'R1') {
      const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
      const actor: Actor = { id: `memory:${user}`, platform: memoryPlatform.name, displayName: user };
      const origin: Origin = { platform: memoryPlatform.name, workspace, channel: room };
      const invocation: Invocation = {
        actor,
        origin,
        command: m?.[1] ?? '',
        text: neutralMentions(m?.[2] ?? ''),
      };
      const reply = await core.dispatch(`memory:line:${++delivery}`, () => invocation);
      if (!reply) throw new Error(`the line was taken as delivered already: ${line}`);
      return reply;
    },
    dmsTo: (user) => sent.filter((s) => s.op === 'dm' && s.to === user),
  };
}
