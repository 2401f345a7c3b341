/**
 * `bgp-rr config [--json] [--watch]`: the effective configuration this replica
 * derives from etcd (the same derivation `bgp-rr run` applies): AS, router id,
 * cluster id, peers, pools, block owners, invalid resources, revision.
 * --watch: after the first result, one JSON line per change until interrupted.
 * No snapshot from etcd within FIRST_SNAPSHOT_TIMEOUT_MS: exit NOT_DONE (2), as
 * `replicas` when etcd cannot be read and the control commands when the daemon cannot.
 */
import { CalicoWatcher, deriveConfig, type DesiredConfig, type Snapshot, type WatcherUpdate } from '@bgp-rr/etcd-store';
import { REPLICA_OPTIONS, type ReplicaKey } from '../../config/options.js';
import { replicaSettings } from '../../config/settings.js';
import { replicaAddresses } from '../../daemon/listen-probe.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { changeSummary, configView, type ReplicaIdentity } from '../config-view.js';
import { EXIT } from '../exit-codes.js';
import { renderJson } from '../render/json.js';
import { configText } from '../render/config-text.js';

const FIRST_SNAPSHOT_TIMEOUT_MS = 15_000;
const WATCH_SETTLE_MS = 2000;

export const configCommand: CommandSpec<ReplicaKey> = {
  name: 'config',
  summary: 'print the configuration this replica derives from the Calico datastore',
  options: REPLICA_OPTIONS,
  flags: [
    { flags: '--json', help: 'one JSON object' },
    { flags: '--watch', help: 'then print one JSON line per change, until interrupted' },
  ],
  run: runConfig,
};

async function runConfig(ctx: CommandContext<ReplicaKey>): Promise<number> {
  const s = replicaSettings(ctx.options.values);
  const me: ReplicaIdentity = { name: s.name, routerId: s.routerId, clusterId: s.clusterId, addresses: replicaAddresses(s.listen) };
  let onWatching: (() => void) | undefined;
  // No revision probe: this reader shows the revision it applied, not a lag.
  const watcher = new CalicoWatcher({ ...s.etcd, revisionProbeMs: 0, onStatus: (st) => void (st.state === 'watching' && onWatching?.()) });
  let last: { snapshot: Snapshot; config: DesiredConfig } | undefined;
  const pending: WatcherUpdate[] = [];
  let onChange: (() => void) | undefined;
  watcher.start((u) => {
    pending.push(u);
    onChange?.();
  });
  try {
    let first = await firstSnapshot(watcher, ctx.signal);
    if (first === undefined) {
      const st = watcher.status();
      ctx.io.stderr.write(`bgp-rr config: no snapshot from etcd (${s.etcd.endpoints.join(',')}): ${st.lastError ?? st.state}\n`);
      return EXIT.NOT_DONE;
    }
    // The list is done; give the watch a moment to come up so the status printed is
    // the steady one ("watching"), not the transient "connecting".
    await settle(watcher, ctx.signal, (wake) => (onWatching = wake));
    onWatching = undefined;
    first = watcher.current() ?? first;
    pending.length = 0;
    last = { snapshot: first, config: deriveConfig(first, me.addresses) };
    const view = configView(last.config, me, watcher.status());
    const watch = ctx.flags.watch === true;
    if (watch) ctx.io.stdout.write(JSON.stringify(view) + '\n');
    else ctx.io.stdout.write(ctx.flags.json === true ? renderJson(view) : configText(view));
    if (!watch) return EXIT.OK;
    while (!ctx.signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          ctx.signal.removeEventListener('abort', wake);
          resolve();
        };
        onChange = wake;
        ctx.signal.addEventListener('abort', wake, { once: true });
        if (pending.length > 0) wake();
      });
      onChange = undefined;
      for (const u of pending.splice(0)) {
        if (u.type !== 'diff') continue;
        const config = deriveConfig(u.snapshot, me.addresses, { ...last, diff: u.diff });
        last = { snapshot: u.snapshot, config };
        ctx.io.stdout.write(JSON.stringify({ ...configView(config, me, watcher.status()), change: changeSummary(u.diff) }) + '\n');
      }
    }
    return EXIT.OK;
  } finally {
    await watcher.close();
  }
}

/** Resolves once the watcher is watching, after WATCH_SETTLE_MS at most, or on abort. */
function settle(watcher: CalicoWatcher, signal: AbortSignal, register: (wake: () => void) => void): Promise<void> {
  if (watcher.status().state === 'watching' || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, WATCH_SETTLE_MS);
    signal.addEventListener('abort', done, { once: true });
    register(done);
  });
}

function firstSnapshot(watcher: CalicoWatcher, signal: AbortSignal): Promise<Snapshot | undefined> {
  return new Promise((resolve) => {
    const done = (s: Snapshot | undefined): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', abort);
      resolve(s);
    };
    const abort = (): void => done(undefined);
    const t = setTimeout(abort, FIRST_SNAPSHOT_TIMEOUT_MS);
    signal.addEventListener('abort', abort, { once: true });
    void watcher.ready().then(done);
  });
}
