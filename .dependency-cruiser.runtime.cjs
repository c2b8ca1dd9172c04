// The walls that hold for what is loaded at run time (`npm run lint`'s second depcruise pass). dependency-cruiser's
// `reachable` rules follow every edge of the graph and take no `dependencyTypesNot`, so this pass builds the graph
// without type-only imports (tsPreCompilationDeps off: `import type` is erased, as tsx erases it). A type from the
// store may still be named above the services through a service's signature (a port, a record); loading the store is
// what these rules forbid. The direct rules of .dependency-cruiser.cjs still refuse a type imported from the store
// by the core, commands/ or adapters/ themselves.
/** @type {import('dependency-cruiser').IConfiguration} */
const base = require('./.dependency-cruiser.cjs');

const STORE = ['^src/store/', 'node_modules/(mongoose|mongodb|mongodb-memory-server-core|bson)/'];

module.exports = {
  forbidden: [
    {
      name: 'nothing-above-the-services-loads-the-store',
      comment:
        'commands/, src/core, src/http and adapters/ never load src/store or the database driver, by any path: the services are handed their repositories by the composition (src/services/compose.ts, src/main.ts), which no rule here covers.',
      severity: 'error',
      from: { path: '^(commands|src/core|src/http|adapters)/' },
      to: { path: STORE, reachable: true },
    },
    {
      name: 'the-scheduler-never-loads-the-store',
      comment:
        'src/scheduler runs jobs over the store ports it is handed (types only); it loads no repository and no driver.',
      severity: 'error',
      from: { path: '^src/scheduler/' },
      to: { path: STORE, reachable: true },
    },
    {
      name: 'the-scheduler-loads-no-service',
      comment:
        "src/scheduler is handed the services and reads what they declare (job kinds, a run's job): it loads none of them for a constant.",
      severity: 'error',
      from: { path: '^src/scheduler/' },
      to: { path: '^src/services/', reachable: true },
    },
    {
      name: 'present-and-kit-load-no-store',
      comment: 'src/present and src/kit are below the services: no repository, no driver.',
      severity: 'error',
      from: { path: '^src/(present|kit)/' },
      to: { path: STORE, reachable: true },
    },
  ],
  options: { ...base.options, tsPreCompilationDeps: false },
};
