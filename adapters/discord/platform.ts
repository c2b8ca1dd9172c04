// Discord as the house knows it: its name, how its ids look, its limits. Registered by the composition root (src/main.ts).
import type { PlatformSpec } from '../../src/domain/platform.ts';

export const discordPlatform: PlatformSpec = Object.freeze({
  name: 'discord',
  title: 'Discord',
  personExample: '1234',
  barePeople: false,
  workspaceExample: '81234',
  // Snowflakes; a thread is a channel of its own.
  channels: { id: /^\d{15,25}$/, example: '123456789012345678', threadIsChannel: true },
  limits: { titleFromMessage: 120, fileBytes: 8 * 1024 * 1024 },
});
