// The walls of DESIGN.md, checked by `npm run lint` (depcruise src commands adapters config).
/** @type {import('dependency-cruiser').IConfiguration} */

const HOUSE_OUTSIDE_DOMAIN = '^(src/(store|services|core|scheduler|http|main\\.ts)|adapters|commands|config)(/|$)';
const SLACK_SDK = 'node_modules/@slack/';
const DISCORD_SDK = 'node_modules/(discord\\.js|@discordjs)/';
const DATABASE_DRIVER = 'node_modules/(mongoose|mongodb|mongodb-memory-server-core|bson)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds pure rules: it imports nothing from the rest of the house.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: HOUSE_OUTSIDE_DOMAIN },
    },
    {
      name: 'domain-has-no-io',
      comment: 'src/domain does no I/O: no database driver, platform SDK, logger, scheduler or network/file modules.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: [
          DATABASE_DRIVER,
          SLACK_SDK,
          DISCORD_SDK,
          'node_modules/(pino|node-cron|ws)/',
          '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|child_process|cluster|worker_threads|tls|readline)$',
        ],
      },
    },
    {
      name: 'only-main-wires-adapters',
      comment: 'src/, commands/ and config/ never know a platform adapter exists; only src/main.ts wires them.',
      severity: 'error',
      from: { path: '^(src|commands|config)/', pathNot: '^src/main\\.ts$' },
      to: { path: '^adapters/' },
    },
    {
      name: 'adapters-skip-the-store',
      comment: 'adapters/ call the core and services; they never touch src/store or the database driver.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: ['^src/store/', DATABASE_DRIVER] },
    },
    {
      name: 'slack-sdk-only-in-slack-adapter',
      comment: '@slack/* is imported only inside adapters/slack.',
      severity: 'error',
      from: { pathNot: '^adapters/slack/' },
      to: { path: SLACK_SDK },
    },
    {
      name: 'discord-sdk-only-in-discord-adapter',
      comment: 'discord.js and @discordjs/* are imported only inside adapters/discord.',
      severity: 'error',
      from: { pathNot: '^adapters/discord/' },
      to: { path: DISCORD_SDK },
    },
    {
      name: 'core-and-commands-skip-the-store',
      comment:
        'commands/ and src/core speak domain types and call services: no repository, no model, no database driver (src/main.ts builds those).',
      severity: 'error',
      from: { path: '^(commands|src/core)/' },
      to: { path: ['^src/store/', DATABASE_DRIVER] },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports make load order matter and hide a missing boundary.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'Use only packages declared in package.json, not ones that happen to be installed transitively.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Shipped code must not need devDependencies at run time.',
      severity: 'error',
      from: { path: '^(src|commands|adapters|config)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: 'node_modules/@types/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(\\.data|\\.tools|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports cross walls too: a domain that imports a store type depends on the store.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
