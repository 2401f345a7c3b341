/** `bgp-rr peers [--json]`: one row per peer (like `birdc show protocols`, `gobgp neighbor`). */
import type { CommandSpec } from '../command.js';
import { CONTROL_OPTIONS, JSON_FLAG, controlCommand, controlOptions, type ControlKey } from '../control-command.js';
import { peersText } from '../render/text.js';

export const peersCommand: CommandSpec<ControlKey> = {
  name: 'peers',
  summary: 'list the peers: node, address, AS, state, since, prefixes received/accepted/advertised, last error',
  options: CONTROL_OPTIONS,
  flags: [JSON_FLAG],
  run: (ctx) => controlCommand(controlOptions(ctx), 'peers', {}, (rows) => peersText(rows), ctx.io),
};
