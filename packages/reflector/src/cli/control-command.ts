/**
 * Shared by the commands that ask the daemon (peers, peer, routes, status, drain): send
 * one control request, print the result with the text or the JSON printer, map
 * failures to exit codes.
 *
 * Exit codes: 0 done; 1 the daemon answered with an error (e.g. no such peer);
 * 2 the daemon could not be asked (not running, socket not readable, no answer).
 */
import { ControlClientError, request } from '../control/client.js';
import type { Request, ResultOf } from '../control/protocol.js';
import type { CommandContext, LocalFlag } from './command.js';
import { str } from '../config/resolve.js';
import { renderJson } from './render/json.js';

export type { Io } from './command.js';
import type { Io } from './command.js';

export const JSON_FLAG: LocalFlag = { flags: '--json', help: 'print the result as JSON' };

/** The control socket and --json of a command context. */
export function controlOptions(ctx: CommandContext): ControlCommandOptions {
  return { controlSocket: str(ctx.options, 'controlSocket') ?? '/run/bgp-rr/control.sock', json: ctx.flags.json === true };
}

export const EXIT_OK = 0;
export const EXIT_REMOTE_ERROR = 1;
export const EXIT_UNREACHABLE = 2;

export interface ControlCommandOptions {
  readonly controlSocket: string;
  readonly json?: boolean;
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
      return err.kind === 'remote' ? EXIT_REMOTE_ERROR : EXIT_UNREACHABLE;
    }
    throw err;
  }
  io.stdout.write(o.json ? renderJson(result) : text(result));
  return EXIT_OK;
}
