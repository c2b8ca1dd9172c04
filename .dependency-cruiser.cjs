// The walls of DESIGN.md, checked by `npm run lint` (depcruise src commands adapters config). This pass reads type-only
// imports too; .dependency-cruiser.runtime.cjs adds the walls that only what is loaded at run time must hold.
/** @type {import('dependency-cruiser').IConfiguration} */

const HOUSE_OUTSIDE_DOMAIN =
  '^(src/(store|services|present|kit|core|scheduler|http|main\\.ts|startup\\.ts|app\\.ts)|adapters|commands|config)(/|$)';
// What stands above the services: it calls them, they never call it.
const ABOVE_THE_SERVICES =
  '^(src/(core|http|scheduler|main\\.ts|startup\\.ts|rollupsRebuild\\.ts)|commands|adapters)(/|$)';
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
      name: 'services-never-reach-the-core',
      comment:
        'src/services say what happened (notices, Replies from src/present); they never import the core, nor anything above them, by any path, types included.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: ABOVE_THE_SERVICES, reachable: true },
    },
    {
      name: 'present-knows-no-use-case',
      comment:
        'src/present turns notices and reports into platform-neutral Replies: it imports the domain and src/kit only, by any path, types included.',
      severity: 'error',
      from: { path: '^src/present/' },
      to: { path: '^(src/(store|services|core|scheduler|http)|commands|adapters|config)/', reachable: true },
    },
    {
      name: 'kit-stands-alone',
      comment:
        'src/kit holds generic helpers (queues, bounded maps, paced loops, typed text): nothing of the house in them.',
      severity: 'error',
      from: { path: '^src/kit/' },
      to: { path: '^(src|commands|adapters|config)/', pathNot: '^src/kit/' },
    },
    {
      name: 'adapters-use-the-core-present-and-kit',
      comment:
        'adapters/ speak to the house through the core (Invocations in), src/present (Replies out, the sender port) and src/kit; config/ gives their settings. ' +
        'Exempt: adapters/discord/register.ts, the `npm run discord:register` entry point, which publishes every command definition as src/main.ts loads them. ' +
        'Allowed besides: src/domain/platform.ts, the PlatformSpec each adapter declares (adapters/<platform>/platform.ts).',
      severity: 'error',
      from: { path: '^adapters/', pathNot: '^adapters/discord/register\\.ts$' },
      to: { path: '^(src|commands)/', pathNot: '^src/((core|present|kit)/|domain/platform\\.ts$)' },
    },
    {
      name: 'platform-specs-are-data',
      comment:
        'adapters/<platform>/platform.ts declares the platform (name, id forms, limits) for src/main.ts to register before the config is read: data only, so it imports nothing but src/domain/platform.ts (no SDK is loaded for a platform that is not configured).',
      severity: 'error',
      from: { path: '^adapters/[^/]+/platform\\.ts$' },
      to: { pathNot: '^src/domain/platform\\.ts$' },
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
      name: 'the-job-engine-speaks-to-its-port',
      comment:
        'The job engine asks the store for the jobs due, a claim and an end through its port (src/store/jobQueue.ts) and the job types: how jobs are laid out (minutes, slots, blocks, the cursor) stays behind it.',
      severity: 'error',
      from: { path: '^src/scheduler/jobs\\.ts$' },
      to: { path: '^src/store/', pathNot: '^src/store/(jobQueue|jobTypes)\\.ts$' },
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
