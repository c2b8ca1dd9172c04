// The platforms src/main.ts registers, registered for every test file (a vitest setup file) and the benches: the
// domain's, the config's and the services' platform forms come from this registry, as in the running bot.
import { consolePlatform } from '../../adapters/console/platform.ts';
import { discordPlatform } from '../../adapters/discord/platform.ts';
import { slackPlatform } from '../../adapters/slack/platform.ts';
import { registerPlatforms } from '../../src/domain/platform.ts';

export const HOUSE_PLATFORMS = registerPlatforms([slackPlatform, discordPlatform, consolePlatform]);
