/**
 * The test harness: real daemons on private loopback blocks or in network
 * namespaces, always cleaned up (on t.teardown, on exit/SIGINT/SIGTERM of the test
 * process, and by a sweep after a SIGKILLed run).
 *
 * ```ts
 * import t from 'tap';
 * import { leaseLoopbackBlock, spawnProc, tmpDir, requireTool, waitFor } from '../../../test/harness/index.js';
 *
 * t.test('BIRD 1.6 reaches Established', async (t) => {
 *   const block = await leaseLoopbackBlock(t);          // 127.N.0.0/16, ours alone
 *   const dir = tmpDir(t, 'bird-');                      // removed on teardown
 *   // ... write `${dir}/bird.conf` with router id / local address block.addr(1), neighbor block.addr(2)
 *   const bird = spawnProc(t, requireTool('bird'), ['-f', '-c', `${dir}/bird.conf`, '-s', `${dir}/bird.ctl`]);
 *   const speaker = spawnProc(t, 'node', [bin, 'session', '--local-address', block.addr(2), ...]);
 *   await speaker.waitForLine((l) => JSON.parse(l).state === 'Established', { timeoutMs: 30_000 });
 * });
 * ```
 * Namespaces: `const lan = await createLan(t); const ns = await createNetns(t);
 * const port = await lan.attach(ns, 11); ns.spawn(t, bird, [...]);` (addresses 10.L.x.y
 * and fd00:L::x inside the namespaces only).
 *
 * bgp-rr: start it only through bgp-rr.ts (spawnBgpRr, runBgpRr, BgpRrCli: the bin,
 * as systemd runs it); one replica in a Calico cluster on loopback is
 * reflector-cluster.ts (startReflectorCluster); BIRD's route listings are read with
 * bird-routes.ts (parseBirdRoutes).
 *
 * A test file that starts many daemons (dozens of BIRDs, replicas, an etcd cluster)
 * first calls `await acquireHeavySlot(t)`: at most one such test runs at a time on
 * the machine (BGP_RR_HEAVY_SLOTS), whoever started it. Give it a generous timeout.
 *
 * Debugging: BGP_RR_TEST_ECHO=1 copies every daemon's output to stderr;
 * BGP_RR_KEEP_TMP=1 keeps the temporary directories (configs, logs, sockets).
 */
export { leaseLoopbackBlock, acquireBlock, freePort, type LoopbackBlock, type LeaseOptions } from './addresses.js';
export { onExitSync, harnessTeardown, teardownProblem, type Teardown } from './cleanup.js';
export { createNetns, createLan, type Netns, type Lan, type Endpoint, type VethLink, type NetnsOptions } from './netns.js';
export {
  spawnProc,
  startProc,
  waitFor,
  tmpDir,
  run,
  mustRun,
  type Proc,
  type ExitInfo,
  type SpawnOptions,
  type WaitOptions,
  type WaitForOptions,
  type RunOptions,
  type RunResult,
} from './proc.js';
export { tools, requireTool, findTool, REPO_ROOT, BIRD2_ROOT, TOOL_NAMES, type ToolName } from './tools.js';
export { acquireHeavySlot, type HeavySlot, type SlotOptions } from './slots.js';
