/**
 * PURE fold of etcd list and watch events into revisioned snapshots and diffs.
 *
 *   list(kvs, R)                 -> Snapshot@R
 *   applyEvents(Snapshot@R, evs) -> Snapshot@R' + diff (only the touched keys)
 *   relist(Snapshot@R, kvs, R2)  -> Snapshot@R2 + diff (after a compaction, the
 *                                   difference between what we had and what is)
 *
 * A value that fails validation is absent from its collection (the same whether
 * it was seen in a list or in an event, so a fold always equals a fresh list) and
 * its issues are kept under its key. Snapshots are immutable: a fold shares
 * untouched collections as they are, and gives a touched one a small overlay of the
 * changes over the old one (overlay-map.ts), never a full copy. There is one
 * collection per row of the kinds table (kinds.ts), each a map by object name.
 */
import { COLLECTIONS, KINDS, collectionsFeeding, lookupKey, type CollectionName, type Collections, type Feed, type Kind } from './kinds.js';
import { OverlayMap } from './overlay-map.js';
import { parseResource, type ValidationIssue } from './resources/index.js';

const COLLECTION_OF = Object.fromEntries(KINDS.map((r) => [r.kind, r.collection])) as Readonly<Record<Kind, CollectionName>>;

export interface Entry<T> {
  readonly key: string;
  readonly modRevision: number;
  /** The value as stored, to tell a real change from a rewrite of the same value. */
  readonly raw: string;
  readonly value: T;
}

export type Snapshot = {
  /** The etcd revision this state is complete up to. */
  readonly revision: number;
  /** Validation issues by etcd key (only keys that have some). */
  readonly issues: ReadonlyMap<string, readonly ValidationIssue[]>;
} & { readonly [C in CollectionName]: ReadonlyMap<string, Entry<Collections[C]>> };

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  readonly modRevision: number;
}

export type StoreEvent =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly modRevision: number }
  | { readonly type: 'delete'; readonly key: string; readonly modRevision: number };

export interface Change<T> {
  readonly name: string;
  readonly before?: T;
  readonly after?: T;
}

export interface KindDiff<T> {
  readonly added: readonly Change<T>[];
  readonly changed: readonly Change<T>[];
  readonly removed: readonly Change<T>[];
}

export type SnapshotDiff = {
  readonly fromRevision: number;
  readonly toRevision: number;
  /** True when the diff came from a re-list (after a compaction). */
  readonly relisted: boolean;
  readonly issues: { readonly added: readonly ValidationIssue[]; readonly removed: readonly ValidationIssue[] };
} & { readonly [C in CollectionName]: KindDiff<Collections[C]> };

/** No object of any kind: one empty collection per row of the kinds table. */
export function emptySnapshot(revision = 0): Snapshot {
  const s: Record<string, unknown> = { revision, issues: new Map() };
  for (const { collection } of KINDS) s[collection] = new Map();
  return s as Snapshot;
}

/** A snapshot from one consistent list at `revision`. */
export function fromList(kvs: Iterable<KeyValue>, revision: number): Snapshot {
  const b = new Builder(emptySnapshot(revision));
  for (const kv of kvs) b.put(kv.key, kv.value, kv.modRevision);
  return b.finish(revision);
}

/** Folds one batch of watch events (one etcd watch response) into s. */
export function applyEvents(s: Snapshot, events: readonly StoreEvent[]): { snapshot: Snapshot; diff: SnapshotDiff } {
  const b = new Builder(s);
  let revision = s.revision;
  for (const ev of events) {
    if (ev.type === 'put') b.put(ev.key, ev.value, ev.modRevision);
    else b.delete(ev.key);
    revision = Math.max(revision, ev.modRevision);
  }
  const snapshot = b.finish(revision);
  return { snapshot, diff: diffTouched(s, snapshot, b.touched, b.touchedIssues, false) };
}

/** After a compaction: a fresh list, and what changed since s. */
export function relist(s: Snapshot, kvs: Iterable<KeyValue>, revision: number): { snapshot: Snapshot; diff: SnapshotDiff } {
  return diffSnapshots(s, fromList(kvs, revision), true);
}

/** Everything that differs between a and b. */
export function diffSnapshots(a: Snapshot, b: Snapshot, relisted = false): { snapshot: Snapshot; diff: SnapshotDiff } {
  const touched = new Map<CollectionName, Set<string>>();
  for (const c of COLLECTIONS) touched.set(c, new Set([...a[c].keys(), ...b[c].keys()]));
  const issueKeys = new Set([...a.issues.keys(), ...b.issues.keys()]);
  return { snapshot: b, diff: diffTouched(a, b, touched, issueKeys, relisted) };
}

export function isEmptyDiff(d: SnapshotDiff): boolean {
  if (d.issues.added.length > 0 || d.issues.removed.length > 0) return false;
  return COLLECTIONS.every((c) => d[c].added.length === 0 && d[c].changed.length === 0 && d[c].removed.length === 0);
}

/** Every issue of s, in key order. */
export function allIssues(s: Snapshot): ValidationIssue[] {
  return [...s.issues.keys()].sort().flatMap((k) => s.issues.get(k) ?? []);
}

/**
 * Accumulates puts and deletes as changes over the base snapshot; finish() applies
 * them to copies that share everything else with the base (overlay-map.ts).
 */
class Builder {
  readonly touched = new Map<CollectionName, Set<string>>();
  readonly touchedIssues = new Set<string>();
  /** Per collection: name -> new entry, or undefined for a removal. */
  private readonly changes = new Map<CollectionName, Map<string, Entry<unknown> | undefined>>();
  private readonly issueChanges = new Map<string, readonly ValidationIssue[] | undefined>();

  constructor(private readonly base: Snapshot) {}

  put(key: string, value: string, modRevision: number): void {
    const outcome = parseResource(key, value);
    if (outcome === undefined) return;
    const c = COLLECTION_OF[outcome.kind];
    this.setIssues(key, outcome.issues);
    if (outcome.resource === undefined) {
      this.remove(c, outcome.name);
      return;
    }
    this.change(c, outcome.name, { key, modRevision, raw: value, value: outcome.resource.value });
  }

  delete(key: string): void {
    const found = lookupKey(key);
    if (found === undefined) return;
    this.setIssues(key, []);
    this.remove(found.row.collection, found.parsed.name);
  }

  finish(revision: number): Snapshot {
    const out: Record<string, unknown> = { ...this.base, revision };
    for (const [c, changes] of this.changes) out[c] = OverlayMap.from(this.base[c] as ReadonlyMap<string, Entry<unknown>>).with(changes);
    if (this.issueChanges.size > 0) out.issues = OverlayMap.from(this.base.issues).with(this.issueChanges);
    return out as Snapshot;
  }

  private change(c: CollectionName, name: string, e: Entry<unknown> | undefined): void {
    let m = this.changes.get(c);
    if (m === undefined) this.changes.set(c, (m = new Map()));
    m.set(name, e);
    let t = this.touched.get(c);
    if (t === undefined) this.touched.set(c, (t = new Set()));
    t.add(name);
  }

  private remove(c: CollectionName, name: string): void {
    const pending = this.changes.get(c);
    const present = pending?.has(name) === true ? pending.get(name) !== undefined : this.base[c].has(name);
    if (present) this.change(c, name, undefined);
  }

  private setIssues(key: string, issues: readonly ValidationIssue[]): void {
    const had = this.issueChanges.has(key) ? this.issueChanges.get(key) !== undefined : this.base.issues.has(key);
    if (!had && issues.length === 0) return;
    this.issueChanges.set(key, issues.length === 0 ? undefined : issues);
    this.touchedIssues.add(key);
  }
}

function diffTouched(
  a: Snapshot,
  b: Snapshot,
  touched: ReadonlyMap<CollectionName, ReadonlySet<string>>,
  issueKeys: ReadonlySet<string>,
  relisted: boolean,
): SnapshotDiff {
  const out: Record<string, unknown> = { fromRevision: a.revision, toRevision: b.revision, relisted };
  for (const c of COLLECTIONS) {
    const before = a[c] as ReadonlyMap<string, Entry<unknown>>;
    out[c] = diffCollection(before, b[c] as ReadonlyMap<string, Entry<unknown>>, touched.get(c) ?? new Set());
  }
  const added: ValidationIssue[] = [];
  const removed: ValidationIssue[] = [];
  for (const key of [...issueKeys].sort()) {
    const before = a.issues.get(key) ?? [];
    const after = b.issues.get(key) ?? [];
    const id = (i: ValidationIssue): string => `${i.severity}\u0000${i.reason}`;
    const beforeIds = new Set(before.map(id));
    const afterIds = new Set(after.map(id));
    added.push(...after.filter((i) => !beforeIds.has(id(i))));
    removed.push(...before.filter((i) => !afterIds.has(id(i))));
  }
  out.issues = { added, removed };
  return out as SnapshotDiff;
}

function diffCollection<T>(a: ReadonlyMap<string, Entry<T>>, b: ReadonlyMap<string, Entry<T>>, names: ReadonlySet<string>): KindDiff<T> {
  const added: Change<T>[] = [];
  const changed: Change<T>[] = [];
  const removed: Change<T>[] = [];
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    if (x === undefined && y !== undefined) added.push({ name, after: y.value });
    else if (x !== undefined && y === undefined) removed.push({ name, before: x.value });
    else if (x !== undefined && y !== undefined && x.raw !== y.raw) changed.push({ name, before: x.value, after: y.value });
  }
  return { added, changed, removed };
}

/**
 * Whether anything `feed` is derived from differs between two snapshots. Snapshots
 * share untouched collections (snapshot.ts), so this compares identities: true may
 * mean a rewrite to an equal value; false always means there is nothing to re-derive.
 */
export function feedChanged(feed: Feed, before: Snapshot, after: Snapshot): boolean {
  return collectionsFeeding(feed).some((c) => before[c] !== after[c]);
}
