/**
 * The exit codes of `bgp-rr`, one catalogue for every command: the code, its name
 * here, and what it tells a script. The README table "Exit codes" is checked against
 * it (test/cli/exit-codes.test.ts), and `bgp-rr --help` prints it.
 *
 * Two failure codes, because a script acts differently on them: 1, the command ran and
 * the answer is a failure (asking again will not help); 2, nothing was done (fix the
 * command line or the settings, or ask again once the daemon or etcd is there). The
 * unit has RestartPreventExitStatus=2: `bgp-rr run` exits 2 only for a bad setting
 * (it does not wait for etcd: it runs degraded), so a typo causes no restart loop.
 */
export const EXIT = { OK: 0, FAILURE: 1, NOT_DONE: 2 } as const;

export type ExitName = keyof typeof EXIT;
export type ExitCode = (typeof EXIT)[ExitName];

export const EXIT_MEANINGS: { readonly [N in ExitName]: string } = {
  OK: 'done',
  FAILURE: 'the command ran and failed: the daemon answered with an error (e.g. no such peer), or bgp-rr run could not start or stopped on an error',
  NOT_DONE:
    'nothing was done: a usage or configuration error (unknown command or option, a value its option does not allow, an unreadable file), or the daemon or etcd could not be asked (not running, socket not readable, no answer); systemd does not restart bgp-rr run after it',
};

export interface ExitInfo {
  readonly code: ExitCode;
  readonly name: ExitName;
  readonly meaning: string;
}

/** The catalogue in code order. */
export const EXIT_CODES: readonly ExitInfo[] = (Object.keys(EXIT) as ExitName[]).map((name) => ({ code: EXIT[name], name, meaning: EXIT_MEANINGS[name] })).sort((a, b) => a.code - b.code);
