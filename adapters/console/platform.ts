// The terminal as the house knows it: one place (its address is its name), people named as typed. Registered by src/main.ts.
import type { PlatformSpec } from '../../src/domain/platform.ts';

export const consolePlatform: PlatformSpec = Object.freeze({
  name: 'console',
  title: 'the terminal',
  personExample: 'alice',
  barePeople: true,
  limits: { titleFromMessage: 120, fileBytes: 8 * 1024 * 1024 },
});
