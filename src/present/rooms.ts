// The rooms port: what a platform implements to open a major incident's room (a channel, a thread), bring its
// responders in, show the card there, and archive it; a sibling of the sender port, offered with it.
import type { Reply } from './reply.ts';

export interface RoomRequest {
  /** `inc-<n>-<slug>`: the platform adds a suffix when the name is taken. */
  name: string;
  /** The platform's channel the incident came from (or its team's), where a room that lives in a channel opens. */
  from: string | undefined;
  /** Platform user ids (no prefix) brought in: the declarer, the commander, the team's on-call person. */
  members: string[];
  /** The incident's card: posted in the room and pinned where the platform pins. */
  card: Reply;
  /** Where the platform shows one (a channel topic): status and commander. */
  topic: string;
}

export type RoomOpening =
  | {
      opened: true;
      /** The room's channel id (a Slack channel, a Discord thread). */
      channel: string;
      /** The name it got (with a suffix when the first was taken). */
      name: string;
      /** A link a person can follow to the room. */
      link: string;
      /** What went only partly (a responder not invited, the card not pinned), as a person reads it. */
      notes: string[];
    }
  | {
      opened: false;
      /** Why not, as a person reads it: `the bot lacks the channels:manage scope (missing_scope)`. */
      reason: string;
    };

/**
 * A platform's rooms. `archiveWhen` says how long a room lives: a thread is archived when its incident resolves;
 * a channel some days after the ticket closes (people read it back meanwhile).
 */
export interface RoomSender {
  readonly archiveWhen: 'resolved' | 'closed';
  /** Opens the room; a refusal the platform gives (a missing permission) is an answer, not a throw. */
  open(request: RoomRequest): Promise<RoomOpening>;
  /** Shows the status and commander where the platform shows a topic; a no-op elsewhere. */
  setTopic(channel: string, topic: string): Promise<void>;
  /** Archives the room; archiving one archived already is no error. */
  archive(channel: string): Promise<void>;
}
