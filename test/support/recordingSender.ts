// A platform at the messaging port that records what it was asked to send, and fails on request: the outbox's tests' far end.
import type { Platform } from '../../src/domain/platform.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { MessageContext, PlatformSender, Sent } from '../../src/present/sender.ts';

export interface SentCall {
  op: 'post' | 'dm' | 'edit';
  channel: string;
  thread?: string | undefined;
  messageId?: string | undefined;
  reply: Reply;
  ctx: MessageContext;
}

/** `fail` decides per call: return an error to throw it, or nothing to send. */
export function recordingSender(
  platform: Platform,
  fail: (call: SentCall, n: number) => unknown = () => undefined,
): PlatformSender & { calls: SentCall[] } {
  const calls: SentCall[] = [];
  let n = 0;
  const send = async (call: SentCall): Promise<Sent> => {
    const err = fail(call, n++);
    if (err) throw err;
    calls.push(call);
    return { messageId: `m${calls.length}`, channel: call.op === 'dm' ? `DM-${call.channel}` : call.channel };
  };
  return {
    platform,
    calls,
    post: (channel, reply, thread, ctx) => send({ op: 'post', channel, thread, reply, ctx }),
    dm: (user, reply, ctx) => send({ op: 'dm', channel: user, reply, ctx }),
    edit: (channel, messageId, reply, ctx) => send({ op: 'edit', channel, messageId, reply, ctx }),
  };
}
