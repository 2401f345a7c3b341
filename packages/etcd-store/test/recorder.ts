/** Starts a CalicoWatcher for a test and records every update it hands out. */
import type { Teardown } from '../../../test/harness/cleanup.js';
import { waitFor } from '../../../test/harness/proc.js';
import { CalicoWatcher, type Snapshot, type SnapshotDiff, type WatcherOptions, type WatcherUpdate } from '../src/index.js';

export interface Recorder {
  readonly watcher: CalicoWatcher;
  readonly updates: WatcherUpdate[];
  readonly diffs: SnapshotDiff[];
  /** Waits until pred holds for the current snapshot. */
  until(what: string, pred: (s: Snapshot) => boolean, timeoutMs?: number): Promise<Snapshot>;
  /** Waits for a recorded diff (from index `from`) satisfying pred. */
  diff(what: string, pred: (d: SnapshotDiff) => boolean, from?: number, timeoutMs?: number): Promise<SnapshotDiff>;
}

export function record(t: Teardown, opts: WatcherOptions): Recorder {
  const watcher = new CalicoWatcher({ retryMinMs: 100, retryMaxMs: 500, callTimeoutMs: 2000, ...opts });
  const updates: WatcherUpdate[] = [];
  const diffs: SnapshotDiff[] = [];
  watcher.start((u) => {
    updates.push(u);
    if (u.type === 'diff') diffs.push(u.diff);
  });
  t.teardown(() => watcher.close());
  return {
    watcher,
    updates,
    diffs,
    until: (what, pred, timeoutMs = 30_000) =>
      waitFor(() => {
        const s = watcher.current();
        return s !== undefined && pred(s) ? s : undefined;
      }, { what, timeoutMs }),
    diff: (what, pred, from = 0, timeoutMs = 30_000) => waitFor(() => diffs.slice(from).find(pred), { what, timeoutMs }),
  };
}
