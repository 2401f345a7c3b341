/**
 * `bgp-rr run`: the daemon. Options from the table in config/options.ts (flag > env >
 * file > default); peers, AS and pools from etcd. Runs until SIGTERM/SIGINT, then
 * closes every session without NOTIFICATION so clients keep our routes through the
 * restart (RFC 4724; see daemon.ts). Exit 0 after a stop, 1 when it cannot start,
 * 2 for a bad setting.
 *
 * systemd: with NOTIFY_SOCKET set, readiness is reported with `systemd-notify --ready`
 * once listening and configured from etcd — or after READY_WAIT_MS without etcd, the
 * daemon then running degraded (the unit has Type=notify and NotifyAccess=all).
 */
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { REPLICA_OPTIONS, type OptionKey } from '../../config/options.js';
import { ConfigError, str } from '../../config/resolve.js';
import { replicaSettings } from '../../config/settings.js';
import { Daemon, defaultName, type DaemonOptions, type RoutePolicyMode } from '../../daemon/daemon.js';
import { createLogger, isLogLevel } from '../../daemon/log.js';
import { SecretsError, checkTlsFiles, loadPasswordFile } from '../../daemon/secrets.js';
import type { CommandContext, CommandSpec } from '../command.js';

export const VERSION = '0.1.0';

/** Options of `run` beyond the replica's (declared in config/options.ts). */
const RUN_OPTIONS = ['controlSocket', 'metricsAddress', 'logLevel', 'holdTime', 'routePolicy', 'maxPrefixes', 'selectionDeferral', 'passwordFile'] as const;

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'run the route reflector daemon',
  options: [...REPLICA_OPTIONS, ...(RUN_OPTIONS as readonly string[] as readonly OptionKey[])],
  run: runDaemon,
};

function opt(ctx: CommandContext, key: (typeof RUN_OPTIONS)[number]): string | undefined {
  return str(ctx.options, key as OptionKey);
}

function int(ctx: CommandContext, key: (typeof RUN_OPTIONS)[number], flag: string, dflt: number, ok: (n: number) => boolean, what: string): number {
  const v = opt(ctx, key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !ok(n)) throw new ConfigError(`${flag} ${JSON.stringify(v)}: ${what}`);
  return n;
}

/** The first IPv4 of the listen addresses, else of the host's non-internal interfaces. */
function defaultRouterId(listen: readonly { address: string }[]): string {
  const specific = listen.find((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l.address) && l.address !== '0.0.0.0');
  if (specific) return specific.address;
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  throw new ConfigError('--router-id: no IPv4 address to default to; set one');
}

export function daemonOptions(ctx: CommandContext): DaemonOptions {
  const s = replicaSettings(ctx.options);
  const routePolicy = opt(ctx, 'routePolicy') ?? 'enforce';
  if (routePolicy !== 'enforce' && routePolicy !== 'warn' && routePolicy !== 'off') throw new ConfigError(`--route-policy ${JSON.stringify(routePolicy)}: enforce, warn or off`);
  // Secrets are checked before anything starts (secrets.ts): a clear error, exit 2.
  const passwordFile = opt(ctx, 'passwordFile');
  let passwords: ReturnType<typeof loadPasswordFile> | undefined;
  try {
    checkTlsFiles(s.etcd);
    if (passwordFile !== undefined && passwordFile !== '') passwords = loadPasswordFile(passwordFile);
  } catch (err) {
    if (err instanceof SecretsError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    etcd: s.etcd,
    routerId: s.routerId ?? defaultRouterId(s.listen),
    ...(s.clusterId !== undefined ? { clusterId: s.clusterId } : {}),
    listen: s.listen,
    name: s.name ?? defaultName(),
    controlSocket: opt(ctx, 'controlSocket') ?? '/run/bgp-rr/control.sock',
    metricsAddress: opt(ctx, 'metricsAddress') ?? '127.0.0.1:9179',
    // RFC 4271 §4.2: 0 or at least 3 seconds.
    holdTime: int(ctx, 'holdTime', '--hold-time', 30, (n) => n === 0 || (n >= 3 && n <= 65535), 'seconds: 0 or 3..65535 (RFC 4271 §4.2)'),
    routePolicy: routePolicy as RoutePolicyMode,
    maxPrefixes: int(ctx, 'maxPrefixes', '--max-prefixes', 1000, (n) => n >= 0, 'a count (0: no limit)'),
    maxPrefixesAction: 'cease',
    selectionDeferral: int(ctx, 'selectionDeferral', '--selection-deferral', 15, (n) => n <= 3600, 'seconds (at most 3600)'),
    restartTime: 120,
    ...(passwords !== undefined ? { passwords } : {}),
    connectRetry: 5,
    version: VERSION,
  };
}

async function runDaemon(ctx: CommandContext): Promise<number> {
  const level = opt(ctx, 'logLevel') ?? 'info';
  if (!isLogLevel(level)) throw new ConfigError(`--log-level ${JSON.stringify(level)}: fatal, error, warn, info, debug, trace or silent`);
  const options = daemonOptions(ctx);
  const logger = createLogger(level, 'bgp-rr');
  let daemon: Daemon;
  try {
    daemon = await startWithFallback(options, { logger });
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'bgp-rr cannot start');
    ctx.io.stderr.write(`bgp-rr run: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  void readyOrLater(daemon).then(notifySystemd);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    void daemon.done.then(resolve);
  });
  await daemon.stop('graceful');
  if (daemon.failure !== undefined) {
    ctx.io.stderr.write(`bgp-rr run: ${daemon.failure.message}\n`);
    return 1;
  }
  return 0;
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

function notifySystemd(): void {
  if (process.env.NOTIFY_SOCKET === undefined) return;
  const child = spawn('systemd-notify', ['--ready', `--pid=${process.pid}`], { stdio: 'ignore' });
  child.on('error', () => undefined);
}
