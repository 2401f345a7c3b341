/**
 * `bgp-rr drain [--message TEXT]`: for decommissioning. Every session is closed with
 * Cease 6/2 Administrative Shutdown and an RFC 9003 shutdown communication, so clients
 * withdraw our routes at once (their other reflectors carry them); sessions stay down
 * until bgp-rr is restarted. (A plain stop, SIGTERM, does the opposite: see daemon.ts.)
 */
import type { CommandSpec } from '../command.js';
import { CONTROL_OPTIONS, JSON_FLAG, controlCommand, controlOptions, type ControlKey } from '../control-command.js';
import { drainText } from '../render/text.js';

export const drainCommand: CommandSpec<ControlKey> = {
  name: 'drain',
  summary: 'withdraw from every peer (Cease 6/2 with a shutdown message) before decommissioning',
  options: CONTROL_OPTIONS,
  flags: [JSON_FLAG, { flags: '--message <TEXT>', help: 'shutdown communication sent to peers (RFC 9003)' }],
  run: (ctx) => {
    const message = typeof ctx.flags.message === 'string' ? ctx.flags.message : undefined;
    return controlCommand(controlOptions(ctx), 'drain', message !== undefined ? { message } : {}, (d) => drainText(d), ctx.io);
  },
};
