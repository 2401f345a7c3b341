/**
 * @bgp-rr/reflector: the `bgp-rr` daemon and CLI. The bin calls main().
 */
export { main } from './cli/main.js';
export { EXIT, EXIT_CODES, EXIT_MEANINGS, type ExitCode, type ExitInfo, type ExitName } from './cli/exit-codes.js';
export { version } from './cli/version.js';
export type { CommandContext, CommandSpec, Io } from './cli/command.js';
export {
  ETCD_OPTIONS,
  OPTIONS,
  REPLICA_OPTIONS,
  type DefaultedKey,
  type Endpoint,
  type EtcdKey,
  type OptionKey,
  type OptionSpec,
  type OptionType,
  type OptionValue,
  type OptionValues,
  type ReplicaKey,
} from './config/options.js';
export { ConfigError, resolveOptions, type Resolved, type Source } from './config/resolve.js';
export { etcdSettings, replicaSettings, type ReplicaSettings } from './config/settings.js';
export { endpointText, parseEndpoint } from './config/values.js';
export { configView, type ConfigView } from './cli/config-view.js';
