/**
 * @bgp-rr/etcd-store: Calico's datastore (etcd v3), typed, validated and watched.
 * No BGP here. Pure: kinds (the table of the Calico kinds read), keys, resources,
 * selector, snapshot (+ overlay-map), desired-peers, replica-addresses.
 * I/O: watcher (+ range), replicas, client.
 */
export * from './keys.js';
export * from './kinds.js';
export * from './resources/index.js';
export * from './selector/index.js';
export * from './snapshot.js';
export * from './desired-peers.js';
export { replicaAddressesFor } from './replica-addresses.js';
export { CalicoWatcher, type ConnectionState, type Logger, type WatcherOptions, type WatcherStatus, type WatcherUpdate } from './watcher.js';
export { listPrefixes, type ListResult } from './range.js';
export { DEFAULT_ENDPOINT, parseEndpoints, withAnyEndpoint, type EtcdConnectionOptions } from './client.js';
export { listReplicas, REPLICAS_PREFIX, ReplicaRegistration, type PeerCounts, type RegistrationStatus, type ReplicaInfo } from './replicas.js';
