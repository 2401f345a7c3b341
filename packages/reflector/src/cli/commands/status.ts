/** `bgp-rr status [--json]`: this replica: name, router id, cluster id, AS, uptime, etcd endpoint, revision, health, counts. */
import type { CommandSpec } from '../command.js';
import { CONTROL_OPTIONS, JSON_FLAG, controlCommand, controlOptions, type ControlKey } from '../control-command.js';
import { statusText } from '../render/text.js';

export const statusCommand: CommandSpec<ControlKey> = {
  name: 'status',
  summary: 'show this replica: ids, AS, uptime, etcd, health, counts',
  options: CONTROL_OPTIONS,
  flags: [JSON_FLAG],
  run: (ctx) => controlCommand(controlOptions(ctx), 'status', {}, (s) => statusText(s), ctx.io),
};
