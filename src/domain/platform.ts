// The chat platforms the house speaks on, as data: each adapter declares its PlatformSpec (adapters/<platform>/platform.ts)
// and the composition root registers it. Nothing else in the house names a platform; it asks the registry here.

/** A platform's name: the prefix of its identities and addresses (`<name>:<id>`). */
export type Platform = string;

/** How a platform's channels are named; absent where the platform is one place (the terminal). */
export interface ChannelForms {
  /** A channel id as a person gives it after `#` (and the outbox posts to). */
  readonly id: RegExp;
  /** One such id, for the forms a refusal quotes: `C0123ABC`. */
  readonly example: string;
  /** True where a thread is a channel of its own; false where it is a mark inside its channel. */
  readonly threadIsChannel: boolean;
}

export interface PlatformSpec {
  readonly name: Platform;
  /** What people call it in a sentence: `Slack`, `the terminal`. */
  readonly title: string;
  /** A person's id on it, for the forms a refusal quotes (`U0123ABC` makes `slack:U0123ABC`). */
  readonly personExample: string;
  /** Its people are named by a bare `@name` where typed on it (the terminal has no mentions). */
  readonly barePeople: boolean;
  /** A workspace's id (`T0123`), for SWITCHBOARD_ORGS' example; absent where it has none worth naming. */
  readonly workspaceExample?: string;
  /** Its channels; absent: the platform is one place, and its address is its name. */
  readonly channels?: ChannelForms;
  readonly limits: {
    /** The longest ticket title taken from a chat message's first line. */
    readonly titleFromMessage: number;
    /** The largest file it takes as an upload, in bytes. */
    readonly fileBytes: number;
  };
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const registered = new Map<Platform, PlatformSpec>();

/**
 * Registers the platforms the house runs with (the composition root does, from the adapters' specs). The same spec
 * again is a no-op; another spec under a taken name is refused, as a duplicate command is.
 */
export function registerPlatforms(specs: readonly PlatformSpec[]): readonly PlatformSpec[] {
  for (const spec of specs) {
    if (!NAME.test(spec.name)) throw new Error(`platform name "${spec.name}" must be lower-case letters and digits`);
    const had = registered.get(spec.name);
    if (had && had !== spec) throw new Error(`platform "${spec.name}" is registered twice`);
    registered.set(spec.name, spec);
  }
  return specs;
}

export function registeredPlatforms(): readonly PlatformSpec[] {
  return [...registered.values()];
}

export function platformNamed(name: string): PlatformSpec | undefined {
  return registered.get(name);
}

export const isPlatformName = (name: string): boolean => registered.has(name);

/** The registered platforms with channels of their own (the chat platforms). */
export const chatPlatforms = (): PlatformSpec[] => registeredPlatforms().filter((s) => s.channels);

/** The platform that is one place (the terminal), if one is registered: its name is its one channel's address. */
export const onePlacePlatform = (): PlatformSpec | undefined => registeredPlatforms().find((s) => !s.channels);

/** True for the name of a platform that is one place: `console` is both the platform and its one channel. */
export const isOnePlace = (name: string): boolean => {
  const spec = registered.get(name);
  return spec !== undefined && !spec.channels;
};

/** The thread mark to post under in a channel of `platform`: none where its threads are channels of their own. */
export function threadMarkOn(platform: string, thread: string | undefined): string | undefined {
  const forms = registered.get(platform)?.channels;
  return forms && !forms.threadIsChannel ? thread : undefined;
}

/** A workspace identity, for a message that asks for one: `slack:T0123ABC`. */
export function workspaceExample(): string {
  const s = registeredPlatforms().find((p) => p.workspaceExample);
  return s ? `${s.name}:${s.workspaceExample}` : '<platform>:<workspace>';
}
