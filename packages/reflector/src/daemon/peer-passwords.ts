/**
 * PURE: which peers run with a TCP MD5 password (RFC 2385), from `--password-file`
 * (secrets.ts) and the BGPPeers that selected them.
 *
 *   the file has an entry for the peer (its address, else one of its BGPPeers' names)
 *       → the session runs with that password and is passive: the key is set on the
 *         listening sockets, and Node cannot sign a connection it dials
 *         (bgp-speaker session/tcp-md5.ts). Calico nodes dial the reflector, so this
 *         loses nothing.
 *   no entry, but a BGPPeer asks for a password (`spec.password.secretKeyRef`)
 *       → the peer is refused: the node's BIRD signs every segment and would never
 *         get a session; an unsigned session would silently drop the protection.
 *   neither → unchanged.
 */
import type { DesiredPeer } from '@bgp-rr/etcd-store';
import type { PeerSpec } from './reconcile.js';
import type { PasswordTable } from './secrets.js';

export interface PasswordVerdict {
  /** The specs to run (with passwords applied); refused peers are left out. */
  readonly specs: PeerSpec[];
  /** Peers left out, with why. */
  readonly refused: readonly { readonly address: string; readonly node: string; readonly reason: string }[];
}

/** `specs[i]` was made from `peers[i]` (peerSpecFor). */
export function applyPasswords(specs: readonly PeerSpec[], peers: readonly DesiredPeer[], table: PasswordTable | undefined): PasswordVerdict {
  const out: PeerSpec[] = [];
  const refused: { address: string; node: string; reason: string }[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const peer = peers[i];
    const password = table?.passwordFor({ address: spec.address, bgpPeers: spec.bgpPeers });
    const unsupported = spec.unsupported.filter((u) => !u.startsWith('password'));
    if (password !== undefined) {
      out.push({ ...spec, unsupported, config: { ...spec.config, password, passive: true } });
    } else if (peer?.password !== undefined) {
      const ref = `${peer.password.name}/${peer.password.key}`;
      refused.push({
        address: spec.address,
        node: spec.node,
        reason: `BGPPeer ${spec.bgpPeers.join(', ')} asks for a TCP MD5 password (Secret ${ref}), which a reflector outside Kubernetes cannot read; ${
          table === undefined ? 'no --password-file is set' : `--password-file has no entry for ${spec.address} nor for ${spec.bgpPeers.join(', ')}`
        }: the peer is not started`,
      });
    } else {
      out.push(spec);
    }
  }
  return { specs: out, refused };
}
