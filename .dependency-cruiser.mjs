// Layer rules for packages/*/src, checked by dependency-cruiser: `npm run lint:layers`
// (part of `npm run lint`), and by test/layers.test.ts (part of `npm test`, so CI).
// docs/DEVELOPING.md "Conventions" states the rules; test/layers.test.ts proves each
// one fails on a violating fixture.
//
// Paths are relative to the directory the cruise runs from (the repo root, or the
// test's fixture tree, which has the same layout).

// Modules that do no I/O: the codec, the FSM, the RIB and decision process, Calico
// resource parsing, selectors, the snapshot fold, the route engine (reflection, import
// policy, prefix limit, graceful restart, update groups) and reconcile. A Clock or a
// logger is injected into them, never imported.
const PURE = [
  '^packages/bgp-speaker/src/(wire|fsm|rib)/',
  '^packages/etcd-store/src/(selector|resources)/',
  '^packages/etcd-store/src/(kinds|snapshot|overlay-map|keys|desired-peers|replica-addresses)\\.ts$',
  '^packages/reflector/src/engine/',
  '^packages/reflector/src/daemon/reconcile\\.ts$',
  // Wiring-side modules whose header says PURE.
  '^packages/reflector/src/(cli/config-view|control/natural-order|daemon/peer-passwords)\\.ts$',
];

// The Node.js built-ins a pure module may import: none of them does I/O, reads a
// clock, schedules a timer or draws entropy. Everything else (node:net, node:fs,
// node:fs/promises, node:child_process, node:http, node:dgram, node:os, node:timers,
// node:perf_hooks, node:crypto, node:process, node:stream, node:util with its
// debuglog, ...) is I/O or nondeterministic input, and comes in as an injected port.
const PURE_BUILTINS = ['buffer', 'events', 'assert', 'assert/strict'];

// The npm packages a pure module may import (workspace packages are 'local', not npm).
// No etcd3 (the watcher owns etcd I/O), no logger (pino), no prom-client.
const PURE_PACKAGES = ['ip-address'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment:
        'An import cycle in packages/*/src that exists at run time: ES modules in a cycle ' +
        'see each other half-initialised (TDZ errors), and cannot be understood or tested ' +
        'one without the other. Move the shared part into a module both import.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-type-only-cycle',
      severity: 'error',
      comment:
        'An import cycle in packages/*/src closed by an `import type`: harmless at run ' +
        'time, but the modules still cannot be read one without the other. Move the ' +
        'shared types into a module both import (bgp-speaker session/peer.ts, say).',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, via: { dependencyTypes: ['type-only'] } },
    },
    {
      name: 'pure-no-io-builtin',
      severity: 'error',
      comment:
        'A pure module imports a Node.js built-in that does I/O, reads a clock, schedules ' +
        'timers or draws entropy. Inject a port (Clock, logger, transport) instead. ' +
        `Allowed built-ins: ${PURE_BUILTINS.join(', ')}.`,
      from: { path: PURE },
      to: {
        dependencyTypes: ['core'],
        pathNot: `^(node:)?(${PURE_BUILTINS.join('|')})$`,
      },
    },
    {
      name: 'pure-no-io-package',
      severity: 'error',
      comment:
        'A pure module imports an npm package that is not on the pure list (etcd3, pino, ' +
        `prom-client, ...). Inject the port instead. Allowed: ${PURE_PACKAGES.join(', ')}.`,
      from: { path: PURE },
      to: {
        path: '(^|/)node_modules/',
        pathNot: `(^|/)node_modules/(${PURE_PACKAGES.join('|')})/`,
      },
    },
    {
      name: 'pure-imports-pure',
      severity: 'error',
      comment:
        'A pure module imports a value from a module of its own package that is not pure ' +
        '(session/, daemon/, control/, ...): that would bring the I/O in by the back door. ' +
        'A type-only import (the Clock interface, say) is fine: it is erased. Another ' +
        "package's index (@bgp-rr/bgp-speaker) is allowed; a module importing its own " +
        "package's index is a cycle, which no-cycle reports.",
      from: { path: PURE },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: [...PURE, '^packages/[^/]+/src/index\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'speaker-is-bgp-only',
      severity: 'error',
      comment:
        'bgp-speaker is BGP-4 only: it imports neither @bgp-rr/etcd-store nor ' +
        '@bgp-rr/reflector (by name or by path).',
      from: { path: '^packages/bgp-speaker/' },
      to: { path: ['^packages/(etcd-store|reflector)/', '(^|/)node_modules/@bgp-rr/(etcd-store|reflector)/'] },
    },
    {
      name: 'store-is-calico-only',
      severity: 'error',
      comment:
        'etcd-store is the Calico datastore only, no BGP: it imports neither ' +
        '@bgp-rr/bgp-speaker nor @bgp-rr/reflector (by name or by path).',
      from: { path: '^packages/etcd-store/' },
      to: { path: ['^packages/(bgp-speaker|reflector)/', '(^|/)node_modules/@bgp-rr/(bgp-speaker|reflector)/'] },
    },
    {
      name: 'reflector-no-etcd3',
      severity: 'error',
      comment:
        'The reflector reaches etcd only through @bgp-rr/etcd-store (its watcher and ' +
        'replica registry); it never imports etcd3 itself.',
      from: { path: '^packages/reflector/' },
      to: { path: '(^|/)node_modules/etcd3/' },
    },
    {
      name: 'engine-is-the-core',
      severity: 'error',
      comment:
        'The route engine is the core: the wiring (daemon/, control/, cli/, exporters/, ' +
        'config/) depends on it, never the reverse. Pass what the engine needs in as a value.',
      from: { path: '^packages/reflector/src/engine/' },
      to: { path: '^packages/reflector/src/(daemon|control|cli|exporters|config)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve: the other rules cannot judge it (a misspelt ' +
        'path, a missing package, or a broken @bgp-rr/* export).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a pure module has no business naming a socket type.
    tsPreCompilationDeps: true,
    detectProcessBuiltinModuleCalls: true,
    // NodeNext: `./header.js` in source is `./header.ts` on disk; @bgp-rr/* resolve
    // through the `bgp-rr-source` export condition to packages/*/src, as under tap.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['bgp-rr-source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
