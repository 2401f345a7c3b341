/**
 * Shared by the commands that ask the daemon (peers, peer, routes, status, drain): send
 * one control request, print the result with the text or the JSON printer, map
 * failures to exit codes (exit-codes.ts): the daemon answered with an error (e.g. no
 * such peer): FAILURE; the daemon could not be asked (not running, socket not
 * readable, no answer): NOT_DONE.
 */
import { ControlClientError, request } from '../control/client.js';
import type { Request, ResultOf } from '../control/protocol.js';
import type { CommandContext, LocalFlag } from './command.js';
import type { Io } from './command.js';
import { EXIT } from './exit-codes.js';
import { renderJson } from './render/json.js';

export const JSON_FLAG: LocalFlag = { flags: '--json', help: 'print the result as JSON' };

/** The options of a command that asks the daemon. */
export const CONTROL_OPTIONS = ['controlSocket', 'config'] as const;
export type ControlKey = (typeof CONTROL_OPTIONS)[number];

export interface ControlCommandOptions {
  readonly controlSocket: string;
  readonly json?: boolean;
}

/** The control socket and --json of a command context. */
export function controlOptions(ctx: CommandContext<ControlKey>): ControlCommandOptions {
  return { controlSocket: ctx.options.values.controlSocket, json: ctx.flags.json === true };
}

type Params<M extends Request['method']> = Omit<Extract<Request, { method: M }>, 'id' | 'method'>;

export async function controlCommand<M extends Request['method']>(
  o: ControlCommandOptions,
  method: M,
  params: Params<M>,
  text: (r: ResultOf[M]) => string,
  io: Io,
): Promise<number> {
  let result: ResultOf[M];
  try {
    result = await request(o.controlSocket, method, params);
  } catch (err) {
    if (err instanceof ControlClientError) {
      io.stderr.write(`bgp-rr ${method}: ${err.message}\n`);
      return err.kind === 'remote' ? EXIT.FAILURE : EXIT.NOT_DONE;
    }
    throw err;
  }
  io.stdout.write(o.json ? renderJson(result) : text(result));
  return EXIT.OK;
}
