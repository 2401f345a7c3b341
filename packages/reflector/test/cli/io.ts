/** An Io that records what a command prints. */
import type { Io } from '../../src/cli/command.js';

export interface Captured extends Io {
  out: string;
  err: string;
  lines(): string[];
}

export function capture(signal?: AbortSignal): Captured {
  const c: Captured = {
    out: '',
    err: '',
    stdout: { write: (s: string) => void (c.out += s) },
    stderr: { write: (s: string) => void (c.err += s) },
    ...(signal ? { signal } : {}),
    lines: () => c.out.split('\n').filter((l) => l !== ''),
  };
  return c;
}
