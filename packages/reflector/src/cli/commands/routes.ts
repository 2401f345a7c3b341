/** `bgp-rr routes [--json] [--rejected] [PREFIX]`: the Loc-RIB (every path, best marked), or the part inside/around PREFIX. */
import type { CommandSpec } from '../command.js';
import { CONTROL_OPTIONS, JSON_FLAG, controlCommand, controlOptions, type ControlKey } from '../control-command.js';
import { routesText } from '../render/text.js';

export const routesCommand: CommandSpec<ControlKey> = {
  name: 'routes',
  summary: 'show the Loc-RIB: prefix, paths, best, next hop, originator, cluster list, from which peer',
  options: CONTROL_OPTIONS,
  flags: [JSON_FLAG, { flags: '--rejected', help: 'only the paths held but rejected (RFC 4456 §8 loops, import policy), with the kind and why' }],
  args: ['[prefix]'],
  run: (ctx) => {
    const prefix = ctx.args[0];
    const params = { ...(prefix !== undefined ? { prefix } : {}), rejected: ctx.flags.rejected === true };
    return controlCommand(controlOptions(ctx), 'routes', params, (rows) => routesText(rows), ctx.io);
  },
};
