#!/usr/bin/env node
// `npm run demo [-- --once] [-- --nodes N] [-- --timeout SECONDS]`
//
// A Calico cluster on this machine, on loopback addresses (127.N.0.0/16, leased so
// it never collides with tests): a single etcd holding a Calico datastore of N nodes
// (default 50; mesh off, one BGPPeer per replica), three `bgp-rr run` replicas and
// the N nodes (one BIRD per node, configured as calico/node's confd configures it
// toward external route reflectors). Shows `bgp-rr peers` and route counts until
// Ctrl-C; with --once, exits 0 as soon as every node holds every other node's block
// (checked on each node), 1 if that is not so within the timeout (default 120 s, the
// whole run), 2 on bad usage. Everything started is stopped on success, on failure
// and on Ctrl-C.
//
// The test harness (test/harness/*.ts) starts and always cleans up the processes;
// tsx loads it (a devDependency installed by scripts/setup.sh).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./demo/main.mjs');
// Exit explicitly: whatever a failed step left pending must not keep the demo alive
// (the harness's exit handler then kills any process not yet stopped).
process.exit(await main(process.argv.slice(2)));
