/**
 * @bgp-rr/reflector: the `bgp-rr` daemon and CLI. The bin calls main().
 */
export { main, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli/main.js';
export type { CommandContext, CommandSpec, Io } from './cli/command.js';
export { OPTIONS, REPLICA_OPTIONS, type OptionKey, type OptionSpec } from './config/options.js';
export { ConfigError, resolveOptions, type Resolved, type Source } from './config/resolve.js';
export { parseListen, replicaSettings, type ReplicaSettings } from './config/settings.js';
export { configView, type ConfigView } from './cli/config-view.js';
