/** `bgp-rr peer ADDRESS|NODE [--json]`: one peer in detail: capabilities both ways, timers, message counters. */
import type { CommandSpec } from '../command.js';
import { CONTROL_OPTIONS, JSON_FLAG, controlCommand, controlOptions, type ControlKey } from '../control-command.js';
import { peerText } from '../render/text.js';

export const peerCommand: CommandSpec<ControlKey> = {
  name: 'peer',
  summary: 'show one peer (by address or node name): capabilities, timers, message counters',
  options: CONTROL_OPTIONS,
  flags: [JSON_FLAG],
  args: ['<address>'],
  run: (ctx) => controlCommand(controlOptions(ctx), 'peer', { address: ctx.args[0] ?? '' }, (p) => peerText(p), ctx.io),
};
