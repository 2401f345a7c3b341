/**
 * `bgp-speaker` entry point: main(argv, env, io) → exit code. Nothing runs at import time;
 * bin/bgp-speaker.js calls this. Options are declared once here (commander 14).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { runSession, type SessionOptions, type SignalSource } from './session-command.js';
import { SESSION_INPUT_HELP } from './session-input.js';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  /** Command lines for `session` (session-input.ts); none are read when absent. bin/ passes process.stdin. */
  stdin?: Readable;
  /** Where SIGINT/SIGTERM come from (default: process). */
  signals?: SignalSource;
}

function integer(min: number, max: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return Number(v);
  };
}
const collect = (v: string, prev: string[]): string[] => [...prev, v];

export async function main(argv: readonly string[], _env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let result = 0;
  const program = new Command('bgp-speaker')
    .description('A small BGP-4 speaker for operators and tests')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program
    .command('session')
    .description('open one BGP session and print one JSON object per line for each event')
    .requiredOption('--local-address <addr>', 'our address (source of the connection, default next hop)')
    .requiredOption('--peer-address <addr>', 'the peer address')
    .addOption(new Option('--peer-port <port>', 'the peer port').default(179).argParser(integer(1, 65535)))
    .addOption(new Option('--local-port <port>', 'with --passive the port we listen on (default 179), else our source port').argParser(integer(1, 65535)))
    .option('--passive', 'wait for the peer to connect', false)
    .requiredOption('--local-as <asn>', 'our AS', integer(1, 0xffffffff))
    .requiredOption('--peer-as <asn>', 'the peer AS', integer(1, 0xffffffff))
    .requiredOption('--router-id <id>', 'our BGP Identifier (dotted quad)')
    .addOption(new Option('--hold-time <seconds>', 'hold time to offer (0 or >= 3)').default(90).argParser(integer(0, 65535)))
    .option('--announce <prefix[@nexthop]>', 'announce a prefix (repeatable)', collect, [])
    .option('--add-path', 'ADD-PATH send and receive (RFC 7911)', false)
    .addOption(new Option('--graceful-restart <seconds>', 'advertise graceful restart with this restart time (RFC 4724)').argParser(integer(0, 4095)))
    .addHelpText('after', SESSION_INPUT_HELP)
    .action(async (opts: SessionOptions) => {
      result = await runSession(opts, { stdout: io.stdout, signals: io.signals ?? process, ...(io.stdin ? { stdin: io.stdin } : {}) });
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr.write(`bgp-speaker: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
