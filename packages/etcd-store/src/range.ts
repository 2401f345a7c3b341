/**
 * One consistent list of several prefixes at one etcd revision: the first page
 * fixes revision R, every later page (and prefix) is read at R. Pages keep each
 * gRPC message small (blocks can be several KB each).
 */
import type { Etcd3 } from 'etcd3';
import { prefixRangeEnd } from './keys.js';
import type { KeyValue } from './snapshot.js';

export interface ListResult {
  readonly revision: number;
  readonly kvs: KeyValue[];
}

export async function listPrefixes(client: Etcd3, prefixes: readonly string[], pageSize = 500): Promise<ListResult> {
  let revision: string | undefined;
  const kvs: KeyValue[] = [];
  for (const prefix of prefixes) {
    const end = Buffer.from(prefixRangeEnd(prefix));
    let from = Buffer.from(prefix);
    for (;;) {
      const res = await client.kv.range({ key: from, range_end: end, limit: pageSize, ...(revision !== undefined ? { revision } : {}) });
      revision ??= res.header.revision;
      for (const kv of res.kvs) kvs.push({ key: kv.key.toString(), value: kv.value.toString(), modRevision: Number(kv.mod_revision) });
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || last === undefined) break;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }
  return { revision: Number(revision ?? 0), kvs };
}
