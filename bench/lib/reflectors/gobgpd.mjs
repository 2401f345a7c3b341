/**
 * GoBGP (Debian `gobgpd`) as route reflector: one passive neighbour per client, each
 * a route-reflector client in cluster CLUSTER_ID (RFC 4456), IPv4 unicast only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AS, CLUSTER_ID, REFLECTOR } from '../plan.mjs';
import { run, startProc, waitListening } from '../proc.mjs';
import { executable, tools } from '../tools.mjs';

function config(clients) {
  const head = `[global.config]
  as = ${AS}
  router-id = "${REFLECTOR}"
  port = 179
  local-address-list = ["${REFLECTOR}"]
`;
  const neighbour = (c) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${c.addr}"
    peer-as = ${AS}
  [neighbors.transport.config]
    passive-mode = true
    local-address = "${REFLECTOR}"
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "${CLUSTER_ID}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`;
  return head + clients.map(neighbour).join('');
}

export default {
  name: 'gobgpd',
  missing: () => (executable(tools.gobgpd) ? undefined : 'gobgpd is not installed (apt-get install gobgpd)'),
  async version() {
    const r = await run(tools.gobgpd, ['--version']);
    return r.stdout.trim().replace(/^gobgpd version /, 'gobgpd ');
  },
  async start({ dir, clients, echo }) {
    const conf = join(dir, 'gobgpd.toml');
    writeFileSync(conf, config(clients));
    const proc = startProc('gobgpd', tools.gobgpd, ['-f', conf, '-t', 'toml', '--api-hosts', `${REFLECTOR}:50051`, '--pprof-disable'], { echo });
    await waitListening(proc, REFLECTOR, 179);
    return { pid: proc.pid, proc, stop: () => proc.stop() };
  },
};
