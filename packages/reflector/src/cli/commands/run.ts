/**
 * `bgp-rr run`: the daemon. Options from the table in config/options.ts (flag > env >
 * file > default); peers, AS and pools from etcd. Runs until SIGTERM/SIGINT, then
 * closes every session without NOTIFICATION so clients keep our routes through the
 * restart (RFC 4724; see daemon.ts). Exit codes (exit-codes.ts): OK after a stop,
 * FAILURE when it cannot start or stops on an error, NOT_DONE for a bad setting.
 *
 * systemd: with NOTIFY_SOCKET set, readiness is reported with `systemd-notify --ready`
 * once listening and configured from etcd — or after READY_WAIT_MS without etcd, the
 * daemon then running degraded (the unit has Type=notify and NotifyAccess=all).
 */
import { spawn } from 'node:child_process';
import { REPLICA_OPTIONS } from '../../config/options.js';
import { ConfigError } from '../../config/resolve.js';
import { replicaSettings } from '../../config/settings.js';
import { endpointText } from '../../config/values.js';
import { replicaAddresses } from '../../daemon/listen-probe.js';
import { Daemon, type DaemonOptions } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/log.js';
import { SecretsError, loadPasswordFile } from '../../daemon/secrets.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { defaultRouterId } from '../config-view.js';
import { EXIT } from '../exit-codes.js';
import { version } from '../version.js';

/** The replica's options and the daemon's own (all declared in config/options.ts). */
export const RUN_OPTIONS = [
  ...REPLICA_OPTIONS,
  'controlSocket',
  'metricsAddress',
  'logLevel',
  'holdTime',
  'routePolicy',
  'maxPrefixes',
  'maxPrefixesAction',
  'selectionDeferral',
  'passwordFile',
] as const;
export type RunKey = (typeof RUN_OPTIONS)[number];

export const runCommand: CommandSpec<RunKey> = {
  name: 'run',
  summary: 'run the route reflector daemon',
  options: RUN_OPTIONS,
  run: runDaemon,
};

/** What the daemon runs with: the typed option values, the files they name read and checked. */
export function daemonOptions(ctx: CommandContext<RunKey>): DaemonOptions {
  const o = ctx.options.values;
  const s = replicaSettings(o);
  // Secrets are checked before anything starts (secrets.ts; the etcd TLS files by
  // replicaSettings): a clear error, exit 2.
  let passwords: ReturnType<typeof loadPasswordFile> | undefined;
  try {
    if (o.passwordFile !== undefined && o.passwordFile !== '') passwords = loadPasswordFile(o.passwordFile);
  } catch (err) {
    if (err instanceof SecretsError) throw new ConfigError(err.message);
    throw err;
  }
  const routerId = s.routerId ?? defaultRouterId(replicaAddresses(s.listen));
  if (routerId === undefined) throw new ConfigError('--router-id: no IPv4 address to default to; set one');
  return {
    etcd: s.etcd,
    routerId,
    ...(s.clusterId !== undefined ? { clusterId: s.clusterId } : {}),
    listen: s.listen,
    name: s.name,
    controlSocket: o.controlSocket,
    metricsAddress: o.metricsAddress === null ? '' : endpointText(o.metricsAddress),
    holdTime: o.holdTime,
    routePolicy: o.routePolicy,
    maxPrefixes: o.maxPrefixes,
    maxPrefixesAction: o.maxPrefixesAction,
    selectionDeferral: o.selectionDeferral,
    restartTime: 120,
    ...(passwords !== undefined ? { passwords } : {}),
    connectRetry: 5,
    version: version(),
  };
}

async function runDaemon(ctx: CommandContext<RunKey>): Promise<number> {
  const options = daemonOptions(ctx);
  const logger = createLogger(ctx.options.values.logLevel, 'bgp-rr');
  let daemon: Daemon;
  try {
    daemon = await startWithFallback(options, { logger });
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'bgp-rr cannot start');
    ctx.io.stderr.write(`bgp-rr run: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILURE;
  }
  void readyOrLater(daemon).then(() => notifySystemd(ctx.env));
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    void daemon.done.then(resolve);
  });
  await daemon.stop('graceful');
  if (daemon.failure !== undefined) {
    ctx.io.stderr.write(`bgp-rr run: ${daemon.failure.message}\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}

/** The default '[::]:179' needs IPv6; on a host without it, fall back to 0.0.0.0. */
async function startWithFallback(options: DaemonOptions, deps: Parameters<typeof Daemon.start>[1]): Promise<Daemon> {
  try {
    return await Daemon.start(options, deps);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const wildcard6 = options.listen.length === 1 && options.listen[0]!.address === '::';
    if (!wildcard6 || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    deps.logger.warn({ err: String(err) }, 'no IPv6 on this host: listening on 0.0.0.0 instead of [::]');
    return Daemon.start({ ...options, listen: [{ address: '0.0.0.0', port: options.listen[0]!.port }] }, deps);
  }
}

const READY_WAIT_MS = 20_000;

function readyOrLater(d: Daemon): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, READY_WAIT_MS);
    t.unref();
    void d.configured().then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * `systemd-notify --ready` when the environment `run` was given names a NOTIFY_SOCKET;
 * the tool reads the socket from its environment, so it gets that one too.
 */
function notifySystemd(env: CommandContext['env']): void {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') return;
  const child = spawn('systemd-notify', ['--ready', `--pid=${process.pid}`], { stdio: 'ignore', env: { ...env } });
  child.on('error', () => undefined);
}
