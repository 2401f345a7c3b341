/**
 * What a subcommand is: data for commander (name, options from the table in
 * config/options.ts, local flags, arguments) and one function that runs it.
 * Add a command: write cli/commands/<name>.ts exporting a CommandSpec<its option
 * keys> and list it in cli/commands/index.ts.
 */
import type { OptionKey } from '../config/options.js';
import type { Resolved } from '../config/resolve.js';

/** Where a command writes; main() gets it from the bin (process streams) or a test. */
export interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** Aborted to stop a long-running command (--watch, run); default SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

export interface CommandContext<K extends OptionKey = OptionKey> {
  /** The command's options, resolved (flag > env > file > default), checked and typed. */
  readonly options: Resolved<K>;
  /** The command's own flags (e.g. json, watch), as commander parsed them. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly args: readonly string[];
  /** The environment main() was given (not process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
  readonly signal: AbortSignal;
}

export interface LocalFlag {
  /** commander syntax: '--json', '--timeout <SECONDS>'. */
  readonly flags: string;
  readonly help: string;
}

export interface CommandSpec<K extends OptionKey = OptionKey> {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly K[];
  readonly flags?: readonly LocalFlag[];
  /** commander argument syntax, e.g. '[prefix]'. */
  readonly args?: readonly string[];
  /** Resolves with the exit code (exit-codes.ts). Throw ConfigError for a bad setting (exit 2). */
  run(ctx: CommandContext<K>): Promise<number>;
}
