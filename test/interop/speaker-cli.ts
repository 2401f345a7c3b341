/** Spawns `bgp-speaker session` (from source) for interop tests and reads its JSON lines. */
import { join } from 'node:path';
import type { Test } from 'tap';
import { REPO_ROOT, spawnProc, type Netns, type Proc } from '../harness/index.js';

export const CLI_SOURCE = join(REPO_ROOT, 'packages/bgp-speaker/test/cli/run-source.ts');

export interface CliEvent {
  event: string;
  [k: string]: unknown;
}

export function spawnSpeakerCli(t: Test, args: readonly string[], opts: { netns?: Netns } = {}): Proc {
  const argv = ['--import', 'tsx', CLI_SOURCE, 'session', ...args];
  const o = { cwd: REPO_ROOT, name: 'bgp-speaker' };
  return opts.netns ? opts.netns.spawn(t, process.execPath, argv, o) : spawnProc(t, process.execPath, argv, o);
}

export function events(p: Proc): CliEvent[] {
  return p.lines().flatMap((l) => {
    try {
      return [JSON.parse(l) as CliEvent];
    } catch {
      return [];
    }
  });
}

export async function waitEvent(p: Proc, pred: (e: CliEvent) => boolean, timeoutMs = 60_000): Promise<CliEvent> {
  const line = await p.waitForLine(
    (l) => {
      try {
        return pred(JSON.parse(l) as CliEvent);
      } catch {
        return false;
      }
    },
    { timeoutMs },
  );
  return JSON.parse(line) as CliEvent;
}
