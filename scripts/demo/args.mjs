// Command-line options of the demo.
export function parseArgs(argv) {
  const o = { once: false, nodes: 50, timeoutS: 120, flavor: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--once') o.once = true;
    else if (a === '--nodes') o.nodes = Number(value());
    else if (a === '--timeout') o.timeoutS = Number(value());
    else if (a === '--bird') o.flavor = value();
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!Number.isInteger(o.nodes) || o.nodes < 2 || o.nodes > 250) throw new Error('--nodes must be 2..250');
  if (!(o.timeoutS > 0)) throw new Error('--timeout must be a positive number of seconds');
  if (o.flavor !== undefined && !['bird1', 'bird2', 'speaker'].includes(o.flavor)) throw new Error('--bird must be bird1, bird2 or speaker');
  return o;
}

export const HELP = `usage: npm run demo [-- [--once] [--nodes N] [--timeout SECONDS] [--bird bird1|bird2|speaker]]
  --once      exit 0 as soon as every node holds every other node's block (checked on
              each node: birdc show route all), 1 if not within the timeout
  --nodes N   Calico nodes, 2..250 (default 50)
  --timeout S longest --once run, start-up included, in seconds (default 120)
  --bird F    node implementation: bird1 (BIRD 1.6, as calico/node), bird2, or speaker
              (the bgp-speaker library); default: the first one installed
`;
