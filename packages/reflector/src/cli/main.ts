/**
 * `bgp-rr` entry point: main(argv, env, io) -> exit code (exit-codes.ts). Nothing runs
 * at import time; the bin (bin/bgp-rr.js) passes process.argv/env/streams, and every
 * command reads the environment it is given, never process.env. The one process-wide
 * thing used here is the signals: without io.signal, SIGINT/SIGTERM stop a command.
 */
import { Command, CommanderError, Option } from 'commander';
import { loadConfigFile } from '../config/file.js';
import { optionSpec, type OptionKey } from '../config/options.js';
import { ConfigError, resolveOptions } from '../config/resolve.js';
import type { CommandSpec, Io } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT } from './exit-codes.js';
import { exitCodesHelp, optionHelp } from './help.js';
import { version } from './version.js';

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  let result: Promise<number> | undefined;
  const program = new Command('bgp-rr')
    .description('BGP route reflector for Calico clusters on etcd v3')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .showHelpAfterError()
    .addHelpText('after', `\nOption precedence: flag > environment variable > --config file > default.\n\n${exitCodesHelp()}`);
  for (const spec of COMMANDS) {
    const cmd = program.command(spec.name).description(spec.summary).exitOverride();
    for (const a of spec.args ?? []) cmd.argument(a);
    for (const key of spec.options) cmd.addOption(optionFor(key));
    for (const f of spec.flags ?? []) cmd.option(f.flags, f.help);
    cmd.action((...a: unknown[]) => {
      const args = a.slice(0, spec.args?.length ?? 0) as string[];
      result = runCommand(spec, cmd.opts(), args, env, io);
    });
  }
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.NOT_DONE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.NOT_DONE;
    }
    throw err;
  }
  return result ?? EXIT.OK;
}

function optionFor(key: OptionKey): Option {
  const o = optionSpec(key);
  const opt = new Option(`${o.flag} <${o.arg}>`, optionHelp(o));
  if (o.list === true) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  return opt;
}

async function runCommand(spec: CommandSpec, parsed: Record<string, unknown>, args: string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  const flags: Record<string, unknown> = {};
  const shared: Record<string, unknown> = {};
  const keys = new Set<string>(spec.options);
  for (const [k, v] of Object.entries(parsed)) (keys.has(k) ? shared : flags)[k] = v;
  const { signal, release } = stopSignal(io);
  try {
    // The file is read before the other options are resolved: its path is resolved first (flag > env).
    const configPath = (shared.config as string | undefined) ?? env[optionSpec('config').env];
    const file = keys.has('config') && configPath ? loadConfigFile(configPath) : {};
    const options = resolveOptions(spec.options, shared, env, file);
    return await spec.run({ options, flags, args, env, io, signal });
  } catch (err) {
    io.stderr.write(`bgp-rr ${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? EXIT.NOT_DONE : EXIT.FAILURE;
  } finally {
    release();
  }
}

/** io.signal, or one aborted by SIGINT/SIGTERM while the command runs. */
function stopSignal(io: Io): { signal: AbortSignal; release: () => void } {
  if (io.signal !== undefined) return { signal: io.signal, release: () => {} };
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    release: () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    },
  };
}
