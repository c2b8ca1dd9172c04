// Discord's mention syntax in typed text, turned into the core's neutral form before the core sees it.

/**
 * `<@123>` and `<@!123>` (a person) become `@discord:123`; `<@&456>` (a role: many people) becomes
 * `@group:456`. `@everyone` and `@here` arrive as those words already, and the core knows them for crowds.
 */
export const neutralMentions = (text: string): string =>
  text.replace(/<@&(\d{1,25})>/g, '@group:$1').replace(/<@!?(\d{1,25})>/g, '@discord:$1');
