/** Every `bgp-rr` subcommand, in --help order. */
import type { CommandSpec } from '../command.js';
import { drainCommand } from './drain.js';
import { peerCommand } from './peer.js';
import { peersCommand } from './peers.js';
import { replicasCommand } from './replicas.js';
import { routesCommand } from './routes.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { configCommand } from './config.js';

export const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  peersCommand,
  peerCommand,
  routesCommand,
  statusCommand,
  replicasCommand,
  configCommand,
  drainCommand,
];
