// The platform forms config reads (identities, workspaces, channel addresses), from the registered platforms
// (src/domain/platform.ts). Before any platform is registered (a tool that runs none: rollups:rebuild) a platform's
// name is taken as an opaque prefix.
import { chatPlatforms, type PlatformSpec, registeredPlatforms } from '../src/domain/platform.ts';

const ANY_NAME = '[a-z][a-z0-9-]*';

/** `slack|discord|console`: the names a `<platform>:` prefix may take. */
const namesOf = (specs: readonly PlatformSpec[]): string =>
  specs.length === 0 ? ANY_NAME : specs.map((s) => s.name).join('|');

/** `a, b or c` */
const oneOf = (forms: readonly string[]): string =>
  forms.length <= 1 ? (forms[0] ?? '') : `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}`;

/** A platform identity: `<platform>:<id>`. */
export const identityPattern = (): RegExp => new RegExp(`^(${namesOf(registeredPlatforms())}):[^\\s:]+$`);

export const identityExamples = (): string =>
  registeredPlatforms().length === 0
    ? '<platform>:<id>'
    : oneOf(registeredPlatforms().map((s) => `${s.name}:${s.personExample}`));

/** `acme=<platform>:<workspace>,<platform>:<workspace>` (platform names in any case, as always taken). */
export function orgPattern(): RegExp {
  const member = `(${namesOf(registeredPlatforms())}):[^\\s,:=;]+`;
  return new RegExp(`^[a-z0-9_-]+=(${member})(,${member})*$`, 'i');
}

export const orgExample = (): string => {
  const workspaces = registeredPlatforms().filter((s) => s.workspaceExample);
  return `acme=${workspaces.length === 0 ? '<platform>:<workspace>' : workspaces.map((s) => `${s.name}:${s.workspaceExample}`).join(',')}`;
};

/** A channel address: `<chat platform>:<id>`, or the name of a platform that is one place. */
export function channelAddressPattern(): RegExp {
  const specs = registeredPlatforms();
  if (specs.length === 0) return new RegExp(`^(${ANY_NAME}|${ANY_NAME}:[A-Za-z0-9]{1,40})$`);
  const onePlace = specs.filter((s) => !s.channels).map((s) => s.name);
  const chat = chatPlatforms().map((s) => s.name);
  const forms = [...onePlace, ...(chat.length ? [`(${chat.join('|')}):[A-Za-z0-9]{1,40}`] : [])];
  return new RegExp(`^(${forms.join('|')})$`);
}

export const channelAddressExamples = (): string =>
  registeredPlatforms().length === 0
    ? '<platform>:<channel id>'
    : oneOf([
        ...chatPlatforms().map((s) => `${s.name}:${s.channels?.example}`),
        ...registeredPlatforms()
          .filter((s) => !s.channels)
          .map((s) => s.name),
      ]);
