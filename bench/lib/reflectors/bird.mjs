/**
 * BIRD as route reflector: BIRD 2 (unpacked Debian `bird2`) or BIRD 1.6 (Debian
 * `bird`). One passive protocol per client from a template with `rr client` and
 * `rr cluster id` (RFC 4456), as an operator generating the config from the node list
 * would write it. NEXT_HOP is resolved through the direct route of nh0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AS, CLUSTER_ID, REFLECTOR } from '../plan.mjs';
import { run, startProc, waitListening } from '../proc.mjs';
import { executable, tools } from '../tools.mjs';

function config2(clients) {
  return `router id ${REFLECTOR};
log stderr { warning, error, remote, fatal, bug };
protocol device {}
protocol direct { ipv4; interface "nh0"; }
template bgp rrc {
  local ${REFLECTOR} as ${AS}; strict bind yes; passive on; multihop;
  rr client; rr cluster id ${CLUSTER_ID};
  ipv4 { igp table master4; import all; export where source = RTS_BGP; };
}
${clients.map((c) => `protocol bgp c${c.i} from rrc { neighbor ${c.addr} as ${AS}; }`).join('\n')}
`;
}

function config1(clients) {
  return `router id ${REFLECTOR};
log stderr { warning, error, remote, fatal, bug };
protocol device {}
protocol direct { interface "nh0"; }
template bgp rrc {
  local ${REFLECTOR} as ${AS}; passive on; multihop;
  rr client; rr cluster id ${CLUSTER_ID};
  igp table master; import all; export where source = RTS_BGP;
}
${clients.map((c) => `protocol bgp c${c.i} from rrc { neighbor ${c.addr} as ${AS}; }`).join('\n')}
`;
}

function birdReflector(name, bin, config) {
  return {
    name,
    missing: () => (executable(bin()) ? undefined : `${bin()} is missing (npm run setup)`),
    async version() {
      const r = await run(bin(), ['--version']);
      return (r.stdout + r.stderr).trim().replace(/^BIRD version /, 'BIRD ');
    },
    async start({ dir, clients, echo }) {
      const conf = join(dir, `${name}.conf`);
      writeFileSync(conf, config(clients));
      const proc = startProc(name, bin(), ['-f', '-c', conf, '-s', join(dir, `${name}.ctl`)], { echo });
      await waitListening(proc, REFLECTOR, 179);
      return { pid: proc.pid, proc, stop: () => proc.stop() };
    },
  };
}

export const bird2 = birdReflector('bird2', () => tools.bird2, config2);
export const bird1 = birdReflector('bird1', () => tools.bird1, config1);
