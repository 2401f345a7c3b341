/**
 * `bgp-rr replicas [--json]`: the live replicas, from the registry in etcd (leased keys:
 * a dead replica disappears within its lease TTL), with each one's peer counts as it
 * last published them. Needs etcd, not the daemon.
 */
import { listReplicas } from '@bgp-rr/etcd-store';
import { ETCD_OPTIONS, type EtcdKey } from '../../config/options.js';
import { etcdSettings } from '../../config/settings.js';
import type { CommandSpec } from '../command.js';
import { JSON_FLAG, type ControlKey } from '../control-command.js';
import { EXIT } from '../exit-codes.js';
import { renderJson } from '../render/json.js';
import { replicasText, type ReplicaRow } from '../render/text.js';

export const replicasCommand: CommandSpec<EtcdKey | ControlKey> = {
  name: 'replicas',
  summary: 'list the live replicas registered in etcd, with their peer counts',
  // --control-socket is accepted (and unused) so that scripts can pass it to every command.
  options: [...ETCD_OPTIONS, 'controlSocket'],
  flags: [JSON_FLAG],
  async run(ctx) {
    const etcd = etcdSettings(ctx.options.values);
    let rows: ReplicaRow[];
    let revision: number;
    try {
      const r = await listReplicas(etcd);
      rows = r.replicas as ReplicaRow[];
      revision = r.revision;
    } catch (err) {
      ctx.io.stderr.write(`bgp-rr replicas: cannot read etcd (${etcd.endpoints.join(',')}): ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.NOT_DONE;
    }
    rows.sort((a, b) => (a.name < b.name ? -1 : 1));
    ctx.io.stdout.write(ctx.flags.json === true ? renderJson({ revision, replicas: rows }) : replicasText(rows));
    return EXIT.OK;
  },
};
