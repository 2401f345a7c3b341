/**
 * Logging: pino, one JSON object per line on stdout (journald keeps it as is).
 *
 * What we log, and at which level, for the operator reading the journal (README "Logs"):
 *   info  session up / down (with the reason), configuration changes applied (peers
 *         added, updated, removed), graceful-restart milestones, etcd connection changes
 *   warn  routes rejected, with why — once per change of verdict for a prefix, never
 *         per message; malformed UPDATEs (RFC 7606); unsupported peer settings
 *   error what stops the daemon
 * The route engine and etcd-store take a narrow logger interface; pino satisfies it.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLogLevel(s: string): s is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** A JSON logger writing to `dest` (default stdout, synchronous so nothing is lost on exit). */
export function createLogger(level: LevelWithSilent, name: string, dest: NodeJS.WritableStream | number = 1): Logger {
  const stream = typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest;
  return pino({ level, base: { name }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, stream);
}
