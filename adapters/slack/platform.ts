// Slack as the house knows it: its name, how its ids look, its limits. Registered by the composition root (src/main.ts).
import type { PlatformSpec } from '../../src/domain/platform.ts';

export const slackPlatform: PlatformSpec = Object.freeze({
  name: 'slack',
  title: 'Slack',
  personExample: 'U0123ABC',
  barePeople: false,
  workspaceExample: 'T0123ABC',
  // Public (C…) and private (G…) channel ids; a thread is a thread_ts inside its channel.
  channels: { id: /^[CG][A-Z0-9]{5,30}$/, example: 'C0123ABC', threadIsChannel: false },
  limits: { titleFromMessage: 80, fileBytes: 8 * 1024 * 1024 },
});
