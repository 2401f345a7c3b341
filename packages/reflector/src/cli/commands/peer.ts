/** `bgp-rr peer ADDRESS|NODE [--json]`: one peer in detail: capabilities both ways, timers, message counters. */
import type { CommandSpec } from '../command.js';
import { JSON_FLAG, controlCommand, controlOptions } from '../control-command.js';
import { peerText } from '../render/text.js';

export const peerCommand: CommandSpec = {
  name: 'peer',
  summary: 'show one peer (by address or node name): capabilities, timers, message counters',
  options: ['controlSocket'],
  flags: [JSON_FLAG],
  args: ['<address>'],
  run: (ctx) => controlCommand(controlOptions(ctx), 'peer', { address: ctx.args[0] ?? '' }, (p) => peerText(p), ctx.io),
};
